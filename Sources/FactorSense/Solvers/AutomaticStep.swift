/// The automatic step rule (`GradientDescentOptions.StepRule.auto`, docs/completion.md,
/// "Automatic step"): no step size to tune, and a loss that never rises.
///
/// 1. η₀ = 1/L̂, with L̂ the spectral norm of the Hessian ∇²f at the starting point x₀ =
///    (U₀, V₀) estimated by `powerIterations` power iterations on Hessian-vector products taken
///    as differences of gradients, H d ≈ (∇f(x₀ + h d) − ∇f(x₀))/h with ‖d‖ = 1 and
///    h = `differenceScale`·max(1, ‖x₀‖), from a Gaussian d of the seed's `.stepEstimate`
///    stream. When L̂ is not a positive finite number, η₀ is the option `step`.
/// 2. At each iterate x with gradient g and direction d (g, or ScaledGD's preconditioned g),
///    try η: accept x⁺ = x − ηd when f(x⁺) is finite and
///
///        f(x⁺) ≤ f(x) − c·η⟨g, d⟩,   c = `sufficientDecrease`   (Armijo),
///
///    else halve η and try again, at most `maxHalvings` times (then no step decreases f at
///    machine precision: the run stops as converged at x). After an accepted step the next
///    one starts from `growth`·η, so η can rise again slowly where the landscape allows.
///
/// The accepted steps are the history's "step" column, and "time" is their sum. Every
/// quantity comes from the iterate alone and the seed, so runs are deterministic.
enum AutomaticStep {
    static let powerIterations = 10
    static let differenceScale = 1e-6
    static let sufficientDecrease = 1e-4
    static let growth = 1.1
    static let maxHalvings = 60

    /// L̂ of step 1 for `gradient`, the map (U, V) ↦ (∇_U f, ∇_V f) (V ignored, and d_V = 0,
    /// for the symmetric parameterization).
    static func lipschitzEstimate(U: Matrix, V: Matrix, symmetric: Bool, seed: UInt64,
                                  gradient: (Matrix, Matrix) -> (Matrix, Matrix)) -> Double {
        var sampler = GaussianSampler(seed: seed, stream: .stepEstimate)
        var dU = Matrix(rows: U.rows, columns: U.columns)
        var dV = Matrix(rows: V.rows, columns: V.columns)
        for i in dU.elements.indices { dU.elements[i] = sampler.next() }
        if !symmetric { for i in dV.elements.indices { dV.elements[i] = sampler.next() } }
        let size = Self.norm(U.elements, symmetric ? [] : V.elements)
        let h = differenceScale * max(1, size)
        let base = gradient(U, V)
        var estimate = Double.nan
        for _ in 0..<powerIterations {
            let norm = Self.norm(dU.elements, dV.elements)
            guard norm > 0, norm.isFinite else { return estimate }
            dU.scale(by: 1 / norm)
            dV.scale(by: 1 / norm)
            var shiftedU = U, shiftedV = V
            BLAS.axpy(h, dU.elements, &shiftedU.elements)
            if symmetric { shiftedV = shiftedU } else { BLAS.axpy(h, dV.elements, &shiftedV.elements) }
            var (hU, hV) = gradient(shiftedU, shiftedV)
            BLAS.axpy(-1, base.0.elements, &hU.elements)
            if symmetric { hV = Matrix(rows: V.rows, columns: V.columns) } else { BLAS.axpy(-1, base.1.elements, &hV.elements) }
            hU.scale(by: 1 / h)
            hV.scale(by: 1 / h)
            estimate = Self.norm(hU.elements, hV.elements)
            (dU, dV) = (hU, hV)
        }
        return estimate
    }

    /// ‖(a, b)‖₂. The sum of squares as before; when it overflows (a ridge of 1e308 makes
    /// ‖H d‖ ≈ 1e308, whose square is inf, and the step fell back to `step`, 60 halvings too
    /// large: "converged" at iteration 0) the scaled norms of BLAS's dnrm2, which do not.
    static func norm(_ a: [Double], _ b: [Double]) -> Double {
        let direct = (BLAS.dot(a, a) + BLAS.dot(b, b)).squareRoot()
        if direct.isFinite { return direct }
        let (x, y) = (BLAS.norm(a), BLAS.norm(b))
        let largest = max(x, y)
        guard largest > 0, largest.isFinite else { return largest }
        let (p, q) = (x / largest, y / largest)
        return largest * (p * p + q * q).squareRoot()
    }

    /// The step sizes of a run: whether the rule is on, the next step to try (0 until η₀ is
    /// estimated), the step into the current iterate and Σ of the steps taken (the history's
    /// "step" and "time").
    struct Sizes {
        var automatic = false
        private(set) var next = 0.0
        private(set) var last = 0.0
        private(set) var elapsed = 0.0

        /// Starts from η₀.
        mutating func start(_ initial: Double) {
            (next, last) = (initial, initial)
        }

        /// Takes the accepted step η; the next search starts from `growth`·η.
        mutating func accept(_ eta: Double) {
            last = eta
            elapsed += eta
            next = eta * AutomaticStep.growth
        }
    }
}
