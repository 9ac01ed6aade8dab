/// Starting factors U₀ (n1 × k) and V₀ (n2 × k) of a run.
public struct InitialFactors: Sendable, Equatable {
    public let U: Matrix
    public let V: Matrix

    /// The caller's U₀ and V₀.
    ///
    /// - Throws: `.invalidArgument` for width 0, `.sizeMismatch` when U₀ and V₀ have different
    ///   widths, `.notFinite` for NaN or infinity in them.
    public init(U: Matrix, V: Matrix) throws(FactorSenseError) {
        guard U.columns >= 1, U.rows >= 1, V.rows >= 1 else {
            throw FactorSenseError(.invalidArgument,
                "initial factors need n1, n2, width ≥ 1, got U₀ \(U.rows) × \(U.columns) and V₀ \(V.rows) × \(V.columns)")
        }
        guard U.columns == V.columns else {
            throw FactorSenseError(.sizeMismatch, "U₀ and V₀ must have the same width, got \(U.columns) and \(V.columns)")
        }
        for (factor, name) in [(U, "U₀"), (V, "V₀")] {
            if let bad = factor.elements.firstIndex(where: { !$0.isFinite }) {
                throw FactorSenseError(.notFinite,
                    "\(name) has a non-finite entry \(factor.elements[bad]) at (\(bad / factor.columns), \(bad % factor.columns))")
            }
        }
        self.U = U
        self.V = V
    }

    /// The small random initialization of SPEC.md: U₀ = (α/√k)·N(0,1)^{n1×k}, then
    /// V₀ = (α/√k)·N(0,1)^{n2×k}, drawn row by row from the `.initialization` stream of `seed`.
    public static func smallRandom(rows n1: Int, columns n2: Int, width k: Int, scale alpha: Double, seed: UInt64) -> InitialFactors {
        var sampler = GaussianSampler(seed: seed, stream: .initialization)
        let sigma = alpha / Double(k).squareRoot()
        let u = sampler.matrix(rows: n1, columns: k, standardDeviation: sigma)
        let v = sampler.matrix(rows: n2, columns: k, standardDeviation: sigma)
        return InitialFactors(unchecked: u, v)
    }

    private init(unchecked u: Matrix, _ v: Matrix) {
        self.U = u
        self.V = v
    }

    /// The factors a run starts from: the given ones (checked against the problem's shape), or
    /// the small random ones of `options`.
    static func resolve(_ options: GradientDescentOptions, rows n1: Int, columns n2: Int) throws(FactorSenseError) -> InitialFactors {
        if let given = options.initialFactors {
            guard given.U.rows == n1, given.V.rows == n2 else {
                throw FactorSenseError(.sizeMismatch,
                    "the initial factors are U₀ \(given.U.rows) × \(given.U.columns) and V₀ \(given.V.rows) × \(given.V.columns); this problem needs \(n1) × k and \(n2) × k")
            }
            if let k = options.width, k != given.U.columns {
                throw FactorSenseError(.sizeMismatch, "width is \(k) but the initial factors have \(given.U.columns) columns")
            }
            return given
        }
        guard let k = options.width else {
            throw FactorSenseError(.invalidArgument, "width is not set: set the width k ≥ 1, or give initial factors")
        }
        let total = try SizeLimits.product(n1 + n2, k, "(n1 + n2) · width")
        try SizeLimits.checkDimension(k, "width")
        try SizeLimits.checkAllocation(doubles: total, "the factors U and V")
        return smallRandom(rows: n1, columns: n2, width: k, scale: options.initScale, seed: options.seed)
    }
}
