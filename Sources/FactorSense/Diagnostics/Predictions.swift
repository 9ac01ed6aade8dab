#if canImport(Glibc)
import Glibc
#endif

/// What the theory predicts for a problem before any run, to set beside what a run measures
/// (docs/mathematics.md, "Predictions").
///
/// Near 0 the loss is quadratic in the factors and gradient descent is linear: with
/// M = 𝒜*(y), U_{t+1} ≈ U_t + ηMV_t and V_{t+1} ≈ V_t + ηMᵀU_t (PSD: U_{t+1} ≈ (I + η sym M)U_t).
/// Along the i-th singular pair (l_i, r_i) of M, with singular value (PSD: eigenvalue) λ_i, the
/// part (l_iᵀU + r_iᵀV)/2 grows by 1 + ηλ_i a step and the part (l_iᵀU − r_iᵀV)/2 shrinks
/// by 1 − ηλ_i, so from U₀ = (α/√k)G, V₀ = (α/√k)H the i-th singular value of X = UVᵀ grows
/// as σ₀(1 + ηλ_i)^{2t} from σ₀ = ½α² (PSD, X = UUᵀ: σ₀ = α²). Once it nears s⋆_i it
/// saturates: on one direction the flow is the logistic σ' = 2σ(s − σ), which reaches f·s when
/// its linear part σ₀e^{2st} reaches s·f/(1 − f). So σ_i(X) reaches f·s⋆_i (the learning time of
/// the history, f = `saddle_fraction`) after
///
///     t_i ≈ ln(c_i/α) / ln(1 + ηλ_i)   iterations,   c_i = √(2s⋆_i·f/(1 − f))   (PSD: √(s⋆_i·f/(1 − f))),
///
/// and the flow (η → 0, time ηt) after ln(c_i/α)/λ_i. The constant c_i is stated, not fitted:
/// it ignores the random size of the start's projection (a χ²_k/k factor) and, for i > 1, the
/// coupling with the directions learned before, so the prediction is accurate when ln(1/α) is
/// large against ln(c_i) and the λ_i are well separated.
///
/// The plateau: the iterate's error at the end of local refinement grows like α^γ with
/// γ ≈ 2(1 − λ_{r+1}/λ_r) (measured; 2 only as m → ∞), because the (r+1)-st direction of M keeps
/// growing, by (1 + ηλ_{r+1})^t, while the r-th is being learned.
public struct Predictions: Sendable, Equatable {
    /// r, the rank the predictions are for: the caller's, or the truth's.
    public var rank: Int
    /// λ₁ ≥ … ≥ λ_{r+1}: the top r + 1 singular values of M = 𝒜*(y) (PSD: eigenvalues of
    /// (M + Mᵀ)/2, possibly negative); r of them when r = min(n1, n2).
    public var spectrum: [Double]
    /// λ_{r+1}/λ_r; NaN when r = min(n1, n2) or λ_r ≤ 0.
    public var gap: Double
    /// γ = 2(1 − λ_{r+1}/λ_r), the log–log slope of the plateau error against α; NaN with the gap.
    public var plateauSlope: Double
    /// sin of the largest principal angle between the top-r left singular subspace of M (PSD:
    /// top-r eigenvectors) and L⋆: how far the subspace that phase (I) aligns with lies from the
    /// truth's; NaN without a truth. The phases report the same angle.
    public var spectralAngleLeft: Double
    /// The same for the right subspace and R⋆ (PSD: equal to the left).
    public var spectralAngleRight: Double
    /// c_i = √(2s⋆_i·f/(1 − f)) (PSD: √(s⋆_i·f/(1 − f))), i = 1…r; NaN without a truth or where
    /// s⋆_i = 0.
    public var scales: [Double]
    /// t_i = ln(c_i/α)/ln(1 + ηλ_i), the predicted learning iteration of σ_i for gradient
    /// descent with step η, i = 1…r; NaN where c_i is NaN or λ_i ≤ 0 (the linearization does
    /// not grow that direction), or no step was given. Negative when α ≥ c_i: not a small start.
    public var learningIterations: [Double]
    /// ln(c_i/α)/λ_i, the predicted learning time of σ_i for the gradient flow (and ≈ η·t_i
    /// for gradient descent with a small step); NaN as above.
    public var learningTimes: [Double]
}

extension SensingProblem {
    /// The predictions of the linearization around 0 (`Predictions`) for gradient descent from
    /// the small random start of scale α with step η (the flow's learning times need no η), for
    /// target rank r and learning fraction f.
    ///
    /// - Parameters:
    ///   - alpha: `initScale`, α > 0, finite.
    ///   - eta: `step`, η > 0, finite, or nil for the flow alone (`learningIterations` are then NaN).
    ///   - rank: r in 1…min(n1, n2); nil takes the truth's, and a problem without a truth then
    ///     is refused, saying so.
    ///   - f: `fraction`, f in (0, 1), the `saddle_fraction` the learning times of a run use (½).
    ///   - method: how the top pairs of 𝒜*(y) are computed (`SpectralMethod`); the dense
    ///     method's decomposition is kept on the problem.
    ///   - seed: the start of the iterative method.
    ///   - stop: stops the computation when requested (`.interrupted`).
    /// - Throws: `.invalidArgument` for a value outside its domain or a missing rank,
    ///   `.notFinite` for NaN or infinity; `.linearAlgebra`, `.outOfMemory`, `.interrupted` as
    ///   for `spectrum(count:)`.
    public func predictions(
        initScale alpha: Double, step eta: Double? = nil, rank: Int? = nil, fraction f: Double = 0.5,
        method: SpectralMethod = .auto, seed: UInt64 = 0, stop: StopRequest? = nil
    ) throws(FactorSenseError) -> Predictions {
        try Self.checkPositive(alpha, "init_scale")
        if let eta { try Self.checkPositive(eta, "step") }
        try Self.checkPositive(f, "fraction")
        guard f < 1 else { throw FactorSenseError(.invalidArgument, "fraction must be in (0, 1), got \(f)") }
        let truth = try ReferenceSubspaces.truth(of: self)
        let r = try predictedRank(rank, truth: truth)
        try checkSpectralMemory(method: method)
        let count = min(r + 1, min(rows, columns))
        let pairs = try StopRequest.watching(stop) { () throws(FactorSenseError) in
            try topSpectralPairs(count: count, method: method, seed: seed, purpose: "the predictions")
        }
        let lambda = pairs.values
        let gap = count > r && lambda[r - 1] > 0 ? lambda[r] / lambda[r - 1] : .nan
        var angles = (left: Double.nan, right: Double.nan)
        if let truth {
            let left = try SubspaceGeometry.sine(of: SubspaceGeometry.leadingColumns(pairs.left, r), from: truth.left)
            let right = parameterization == .symmetric
                ? left : try SubspaceGeometry.sine(of: SubspaceGeometry.leadingColumns(pairs.right, r), from: truth.right)
            angles = (left, right)
        }
        let lift = parameterization == .symmetric ? 1.0 : 2.0  // σ₀ = α²/lift
        let scales = (0..<r).map { i in
            truth.map { i < $0.rank ? (lift * $0.values[i] * f / (1 - f)).squareRoot() : .nan } ?? .nan
        }
        let growing = (0..<r).map { lambda[$0] > 0 && scales[$0].isFinite }
        return Predictions(
            rank: r, spectrum: lambda, gap: gap, plateauSlope: 2 * (1 - gap),
            spectralAngleLeft: angles.left, spectralAngleRight: angles.right, scales: scales,
            learningIterations: (0..<r).map { i in
                guard growing[i], let eta else { return .nan }
                return log(scales[i] / alpha) / log1p(eta * lambda[i])
            },
            learningTimes: (0..<r).map { i in growing[i] ? log(scales[i] / alpha) / lambda[i] : .nan })
    }

    /// r: the caller's (checked to lie in 1…min(n1, n2)) or the truth's.
    private func predictedRank(_ rank: Int?, truth: ReferenceSubspaces?) throws(FactorSenseError) -> Int {
        if let rank {
            guard rank >= 1, rank <= min(rows, columns) else {
                throw FactorSenseError(.invalidArgument, "rank must be between 1 and min(n1, n2) = \(min(rows, columns)), got \(rank)")
            }
            return rank
        }
        guard let truth, truth.rank >= 1 else {
            throw FactorSenseError(.invalidArgument, truth == nil
                ? "the predictions need the target rank r: this problem has no ground truth, so pass rank"
                : "the predictions need the target rank r: this problem's ground truth is 0, so pass rank")
        }
        return truth.rank
    }

    /// Checks that `value` is finite and > 0.
    private static func checkPositive(_ value: Double, _ name: String) throws(FactorSenseError) {
        guard value.isFinite else { throw FactorSenseError(.notFinite, "\(name) must be finite, got \(value)") }
        guard value > 0 else { throw FactorSenseError(.invalidArgument, "\(name) must be > 0, got \(value)") }
    }
}
