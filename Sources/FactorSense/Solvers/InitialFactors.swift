/// Starting factors U₀ (n1 × k) and V₀ (n2 × k) of a run; V₀ is absent for the symmetric
/// parameterization X = UUᵀ, where V is U.
public struct InitialFactors: Sendable, Equatable {
    public let U: Matrix
    public let V: Matrix?

    /// The caller's U₀ and (for asymmetric problems) V₀.
    ///
    /// - Throws: `.invalidArgument` for an empty factor, `.sizeMismatch` when U₀ and V₀ have
    ///   different widths, `.notFinite` for NaN or infinity in them.
    public init(U: Matrix, V: Matrix?) throws(FactorSenseError) {
        guard U.columns >= 1, U.rows >= 1, (V?.rows ?? 1) >= 1 else {
            throw FactorSenseError(.invalidArgument,
                "initial factors need n1, n2, width ≥ 1, got U₀ \(U.rows) × \(U.columns)")
        }
        if let V, V.columns != U.columns {
            throw FactorSenseError(.sizeMismatch, "U₀ and V₀ must have the same width, got \(U.columns) and \(V.columns)")
        }
        for (factor, name) in [(U, "U₀"), (V, "V₀")] {
            guard let factor else { continue }
            if let bad = factor.elements.firstIndex(where: { !$0.isFinite }) {
                throw FactorSenseError(.notFinite,
                    "\(name) has a non-finite entry \(factor.elements[bad]) at (\(bad / factor.columns), \(bad % factor.columns))")
            }
        }
        self.U = U
        self.V = V
    }

    private init(unchecked u: Matrix, _ v: Matrix?) {
        self.U = u
        self.V = v
    }

    /// The small random initialization of docs/mathematics.md: U₀ = (α/√k)·N(0,1)^{n1×k}, then (unless
    /// symmetric) V₀ = (β/√k)·N(0,1)^{n2×k} with β = `ratio`·α, drawn row by row from the
    /// `.initialization` stream. The draws do not depend on `ratio`, so V₀ at ratio ρ is V₀ at
    /// ratio 1 times ρ (up to rounding), and ratio 1 gives β = α exactly.
    ///
    /// - Throws: `.invalidArgument` for n1, n2 or k below 1, α ≤ 0 or ratio ≤ 0 (or ≠ 1 when
    ///   symmetric: X = UUᵀ has no V₀), `.notFinite` for a non-finite α, ratio or β, `.overflow`
    ///   or `.outOfMemory` for factors too large.
    public static func smallRandom(rows n1: Int, columns n2: Int, width k: Int, scale alpha: Double, ratio: Double = 1,
                                   symmetric: Bool = false, seed: UInt64) throws(FactorSenseError) -> InitialFactors {
        for (value, name) in [(n1, "n1"), (n2, "n2"), (k, "width")] {
            guard value >= 1 else { throw FactorSenseError(.invalidArgument, "\(name) must be ≥ 1, got \(value)") }
            try SizeLimits.checkDimension(value, name)
        }
        try GradientDescentOptions.descriptor("init_scale", .real).check(alpha)
        try GradientDescentOptions.descriptor("init_ratio", .real).check(ratio)
        if symmetric && ratio != 1 { throw FactorSenseError(.invalidArgument, Self.symmetricRatio(ratio)) }
        guard (ratio * alpha).isFinite else {
            throw FactorSenseError(.notFinite, "β = init_ratio · init_scale = \(ratio) · \(alpha) overflows double precision")
        }
        try MemoryBudget.require(PeakMemory.initialFactors(rows: n1, columns: symmetric ? 0 : n2, width: k),
                                 for: "the small random initialization")
        var sampler = GaussianSampler(seed: seed, stream: .initialization)
        let sigma = alpha / Double(k).squareRoot()
        let u = sampler.matrix(rows: n1, columns: k, standardDeviation: sigma)
        let v = symmetric ? nil : sampler.matrix(rows: n2, columns: k, standardDeviation: ratio * alpha / Double(k).squareRoot())
        return InitialFactors(unchecked: u, v)
    }

    /// Why a PSD problem refuses init_ratio ≠ 1.
    static func symmetricRatio(_ ratio: Double) -> String {
        "init_ratio \(ratio) scales V₀; a PSD problem's X = UUᵀ has no V₀: use init_ratio 1"
    }

    /// The spectral initialization of docs/mathematics.md from M = 𝒜*(y): the top-k SVD M ≈ P S Qᵀ gives
    /// U₀ = P S^{1/2}, V₀ = Q S^{1/2}; for the symmetric parameterization the top-k eigenpairs of
    /// (M + Mᵀ)/2 give U₀ = W Λ₊^{1/2}, negative eigenvalues set to 0. `method` says how the
    /// pairs are computed (`SpectralMethod`); `seed` starts the iterative one.
    ///
    /// The dense method watches the current `StopRequest` while forming M and checks it before
    /// and after the LAPACK factorization, which cannot be stopped midway; the iterative method
    /// checks it every iteration.
    ///
    /// - Throws: `.invalidArgument` when k exceeds min(n1, n2); `.linearAlgebra` when LAPACK
    ///   fails or the iteration does not converge; `.interrupted` when the current stop request
    ///   is made.
    public static func spectral(_ problem: SensingProblem, width k: Int, method: SpectralMethod = .auto,
                                seed: UInt64 = 0) throws(FactorSenseError) -> InitialFactors {
        let (n1, n2) = (problem.rows, problem.columns)
        guard k >= 1, k <= min(n1, n2) else {
            throw FactorSenseError(.invalidArgument,
                "spectral initialization takes 1 to min(n1, n2) = \(min(n1, n2)) singular pairs; width is \(k)")
        }
        let (left, values, right) = try problem.topSpectralPairs(count: k, method: method, seed: seed, purpose: "the spectral initialization")
        let symmetric = problem.parameterization == .symmetric
        var u = Matrix(rows: n1, columns: k)
        var v = Matrix(rows: n2, columns: k)
        for j in 0..<k {
            let root = max(values[j], 0).squareRoot()
            for i in 0..<n1 { u[i, j] = left[i, j] * root }
            if !symmetric { for i in 0..<n2 { v[i, j] = right[i, j] * root } }
        }
        return InitialFactors(unchecked: u, symmetric ? nil : v)
    }

    /// The width k of a run: that of the given initial factors (checked against the problem)
    /// or the `width` option, checked to fit BLAS's indices.
    static func width(_ options: GradientDescentOptions, for problem: SensingProblem) throws(FactorSenseError) -> Int {
        if let given = options.initialFactors {
            try check(given, for: problem, width: options.width)
            return given.U.columns
        }
        guard let k = options.width else {
            throw FactorSenseError(.invalidArgument, "width is not set: set the width k ≥ 1, or give initial factors")
        }
        guard k >= 1 else { throw FactorSenseError(.invalidArgument, "width must be ≥ 1, got \(k)") }
        try SizeLimits.checkDimension(k, "width")
        return k
    }

    /// The factors (U₀, V₀) a run starts from — V₀ = U₀ for the symmetric parameterization —
    /// the given ones checked against the problem, or those `options.initialization` names.
    /// Refuses `initRatio` ≠ 1 unless the start is the small random one (it would be ignored).
    static func resolve(_ options: GradientDescentOptions, for problem: SensingProblem) throws(FactorSenseError) -> (U: Matrix, V: Matrix) {
        let (n1, n2) = (problem.rows, problem.columns)
        let symmetric = problem.parameterization == .symmetric
        if options.initRatio != 1 && (options.initialFactors != nil || options.initialization != .smallRandom) {
            throw FactorSenseError(.invalidArgument,
                "init_ratio \(options.initRatio) scales the small random V₀; this run starts from "
                + (options.initialFactors != nil ? "the given factors" : "the spectral initialization") + ": use init_ratio 1")
        }
        if let given = options.initialFactors {
            try check(given, for: problem, width: options.width)
            return (given.U, given.V ?? given.U)
        }
        let k = try width(options, for: problem)
        try SizeLimits.checkAllocation(doubles: try SizeLimits.product(n1 + n2, k, "(n1 + n2) · width"), "the factors U and V")
        let start: InitialFactors
        switch options.initialization {
        case .smallRandom:
            start = try smallRandom(rows: n1, columns: n2, width: k, scale: options.initScale, ratio: options.initRatio,
                                    symmetric: symmetric, seed: options.seed)
        case .spectral:
            let method = options.spectralMethod.resolved(rows: n1, columns: n2)
            try SizeLimits.checkAllocation(doubles: try spectralPeak(problem, width: k, method: method),
                method == .dense ? "the spectral initialization (𝒜*(y), \(n1) × \(n2), and its LAPACK factorization with its workspace)"
                    : "the iterative spectral initialization (blocks of \(SubspaceIteration.blockSize(count: k, rows: n1, columns: n2)) vectors)")
            start = try spectral(problem, width: k, method: method, seed: options.seed)
        }
        return (start.U, start.V ?? start.U)
    }

    /// The doubles `spectral` holds at its peak: M = 𝒜*(y) (n1·n2) with what forming it takes
    /// (the operator's `adjointNeeds`: a dense operator's partial sums per row chunk), or M with
    /// its LAPACK factorization (`Factorizations.singularValueDecompositionPeak`,
    /// `symmetricEigenPeak`), whichever is larger.
    static func spectralPeak(_ problem: SensingProblem, width k: Int, method: SpectralMethod) throws(FactorSenseError) -> Int {
        let (n1, n2) = (problem.rows, problem.columns)
        try SizeLimits.checkDimension(n1, "n1")
        try SizeLimits.checkDimension(n2, "n2")
        let entries = try SizeLimits.product(n1, n2, "n1 · n2")
        let formingNeeds = try MemoryBudget.total(problem.sensingOperator.adjointNeeds()) / MemoryLayout<Double>.stride
        let (forming, formingOverflows) = entries.addingReportingOverflow(formingNeeds)
        guard !formingOverflows else { throw FactorSenseError(.overflow, "the memory of 𝒜*(y) and what forming it takes overflows a 64-bit integer") }
        if method.resolved(rows: n1, columns: n2) == .iterative {
            return try iterativeSpectralPeak(problem, width: k, formingAdjoint: forming)
        }
        let factorization = problem.parameterization == .symmetric
            ? try Factorizations.symmetricEigenPeak(size: n1)
            : try Factorizations.singularValueDecompositionPeak(rows: n1, columns: n2)
        let (total, overflow) = entries.addingReportingOverflow(factorization)
        guard !overflow else { throw FactorSenseError(.overflow, "the memory of the spectral initialization overflows a 64-bit integer") }
        return max(forming, total)
    }

    /// The doubles the iterative method holds at its peak, with b = `SubspaceIteration.blockSize`:
    /// about ten n × b blocks (n = max(n1, n2): the iterate, its product, the orthonormal factors,
    /// LAPACK's row-major copies, the small SVD's outputs), a rank-one operator's m × b
    /// projection, and M itself for the operators whose adjoint is formed (dense, identity).
    private static func iterativeSpectralPeak(_ problem: SensingProblem, width k: Int, formingAdjoint: Int) throws(FactorSenseError) -> Int {
        let (n1, n2) = (problem.rows, problem.columns)
        let b = SubspaceIteration.blockSize(count: max(k, 1), rows: n1, columns: n2)
        let blocks = try SizeLimits.product(max(n1, n2), try SizeLimits.product(10, b, "10 · b"), "the blocks of the iteration")
        let formed = try problem.adjointOfMeasurementsPeak(block: b, formingAdjoint: formingAdjoint)
        let (total, overflow) = blocks.addingReportingOverflow(formed)
        guard !overflow else { throw FactorSenseError(.overflow, "the memory of the spectral initialization overflows a 64-bit integer") }
        return total
    }

    private static func check(_ given: InitialFactors, for problem: SensingProblem, width: Int?) throws(FactorSenseError) {
        let (n1, n2) = (problem.rows, problem.columns)
        let shapes = "U₀ is \(given.U.rows) × \(given.U.columns)" + (given.V.map { " and V₀ \($0.rows) × \($0.columns)" } ?? "")
        switch (problem.parameterization, given.V) {
        case (.symmetric, .some):
            throw FactorSenseError(.invalidArgument, "a symmetric (PSD) problem starts from U₀ alone (X = UUᵀ); V₀ was given too")
        case (.asymmetric, .none):
            throw FactorSenseError(.invalidArgument, "an asymmetric problem needs V₀ as well as U₀")
        default: break
        }
        guard given.U.rows == n1, (given.V?.rows ?? n2) == n2 else {
            throw FactorSenseError(.sizeMismatch, "\(shapes); this problem needs U₀ with \(n1) rows and V₀ with \(n2) rows")
        }
        if let k = width, k != given.U.columns {
            throw FactorSenseError(.sizeMismatch, "width is \(k) but the initial factors have \(given.U.columns) columns")
        }
    }
}
