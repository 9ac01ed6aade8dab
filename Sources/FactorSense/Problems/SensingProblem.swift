/// A sensing problem: an operator 𝒜, measurements y = 𝒜(X⋆) + ξ, and optionally the ground
/// truth X⋆, against which the test error ‖X − X⋆‖_F/‖X⋆‖_F is measured.
public struct SensingProblem: Sendable {
    /// 𝒜.
    public let sensingOperator: any MeasurementOperator
    /// y, m values.
    public let measurements: [Double]
    /// X⋆, dense or factored, or nil when it is not known (real data).
    public let groundTruth: GroundTruth?
    /// X⋆ as a dense n1 × n2 matrix (formed on request for a generated target), or nil.
    ///
    /// - Throws: `.overflow` or `.outOfMemory` when the n1 × n2 matrix does not fit.
    public var truth: Matrix? {
        get throws(FactorSenseError) { try groundTruth?.matrix }
    }
    /// X = UVᵀ, or X = UUᵀ with the loss ¼‖𝒜(UUᵀ) − y‖².
    public let parameterization: Parameterization
    /// What depends only on the problem, once computed (`ProblemCache`); shared by copies.
    let cache: ProblemCache

    /// n1.
    public var rows: Int { sensingOperator.rows }
    /// n2.
    public var columns: Int { sensingOperator.columns }
    /// m.
    public var measurementCount: Int { sensingOperator.measurementCount }

    /// The problem of the caller's operator, measurements and (optional) ground truth.
    ///
    /// - Throws: `.sizeMismatch` when y has other than m entries or X⋆ is not n1 × n2;
    ///   `.notFinite` for NaN or infinity in y or X⋆; `.invalidArgument` for a symmetric
    ///   parameterization of a non-square problem, and for an X⋆ that is not symmetric
    ///   (`GroundTruth.checkSymmetric(for:)`) with an operator that `isSymmetric`.
    public init(
        operator sensingOperator: any MeasurementOperator, measurements y: [Double], truth: Matrix? = nil,
        parameterization: Parameterization = .asymmetric
    ) throws(FactorSenseError) {
        try self.init(operator: sensingOperator, measurements: y, groundTruth: truth.map { .dense($0) },
                      parameterization: parameterization)
    }

    /// The problem of the caller's operator, measurements and (optional) ground truth in either form.
    public init(
        operator sensingOperator: any MeasurementOperator, measurements y: [Double], groundTruth: GroundTruth?,
        parameterization: Parameterization = .asymmetric
    ) throws(FactorSenseError) {
        guard parameterization == .asymmetric || sensingOperator.rows == sensingOperator.columns else {
            throw FactorSenseError(.invalidArgument,
                "the symmetric (PSD) parameterization X = UUᵀ needs a square problem, got \(sensingOperator.rows) × \(sensingOperator.columns)")
        }
        guard y.count == sensingOperator.measurementCount else {
            throw FactorSenseError(.sizeMismatch,
                "y must have m = \(sensingOperator.measurementCount) entries, got \(y.count)")
        }
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            throw FactorSenseError(.notFinite, "y has a non-finite entry \(y[bad]) at index \(bad)")
        }
        if let groundTruth {
            guard groundTruth.rows == sensingOperator.rows, groundTruth.columns == sensingOperator.columns else {
                throw FactorSenseError(.sizeMismatch,
                    "the truth must be \(sensingOperator.rows) × \(sensingOperator.columns), got \(groundTruth.rows) × \(groundTruth.columns)")
            }
            if case .dense(let truth) = groundTruth, let bad = truth.elements.firstIndex(where: { !$0.isFinite }) {
                throw FactorSenseError(.notFinite, "the truth has a non-finite entry \(truth.elements[bad]) at (\(bad / truth.columns), \(bad % truth.columns))")
            }
            if sensingOperator.isSymmetric { try groundTruth.checkSymmetric(for: "symmetric") }
        }
        self.sensingOperator = sensingOperator
        self.measurements = y
        self.groundTruth = groundTruth
        self.parameterization = parameterization
        self.cache = ProblemCache()
    }

    /// `problem` measured by `view`, an operator that gives exactly its operator's values (a
    /// trial's view of a shared pass, `PassSharing`), keeping its cache: the trials of a batch
    /// compute what depends only on the problem once.
    init(_ problem: SensingProblem, measuredBy view: any MeasurementOperator) {
        self.sensingOperator = view
        self.measurements = problem.measurements
        self.groundTruth = problem.groundTruth
        self.parameterization = problem.parameterization
        self.cache = problem.cache
    }

    /// The same problem under another parameterization.
    public func with(_ parameterization: Parameterization) throws(FactorSenseError) -> SensingProblem {
        try SensingProblem(operator: sensingOperator, measurements: measurements, groundTruth: groundTruth, parameterization: parameterization)
    }

    /// A random problem of docs/mathematics.md: X⋆ from `LowRankTarget.random(target, seed:)`, the operator
    /// `kind` with m measurements (m = n1·n2 for `.identity`, where `measurements` is ignored),
    /// and y = 𝒜(X⋆) + ξ with ξ ~ N(0, σ² I_m) drawn from the `.noise` stream. A PSD target
    /// gives the symmetric parameterization (and, for `.rankOne`, the symmetric operator
    /// a_iᵀ sym(X) b_i/√m, b_i drawn independently of a_i). The symmetric Gaussian operator,
    /// which sees only symmetric matrices, always gets a symmetric target: with
    /// `positiveSemidefinite` false, X⋆ = L diag(s₁, −s₂, s₃, …) Lᵀ (`TargetSpecification.symmetric`).
    /// Same seed, same bits.
    ///
    /// `stop`, when given, is watched throughout (it becomes `StopRequest.current`): the draws of
    /// the operator and the pass for 𝒜(X⋆) check it at least every few milliseconds.
    ///
    /// - Throws: `.invalidArgument`, `.notFinite`, `.overflow` or `.outOfMemory` for sizes and
    ///   scalars outside their domains, before anything large is allocated; `.interrupted` when a
    ///   stop is requested (of `stop`, or of the current request) before the problem is complete.
    ///
    /// `precision` `.single` stores a dense operator (Gaussian, symmetric Gaussian) in single
    /// precision: the operator drawn in double precision, each entry rounded to the nearest
    /// float, and y measured by the rounded operator, so the problem is exact for the operator
    /// it stores. Other kinds have no dense matrix and refuse it (`.invalidArgument`).
    public static func generate(
        _ kind: OperatorKind, target: TargetSpecification, measurements m: Int,
        noiseLevel sigma: Double = 0, seed: UInt64 = 0, precision: DenseEntries.Precision = .double,
        stop: StopRequest? = nil
    ) throws(FactorSenseError) -> SensingProblem {
        try StopRequest.watching(stop) { () throws(FactorSenseError) in
            try generateWatching(kind, target: target, measurements: m, noiseLevel: sigma, seed: seed, precision: precision)
        }
    }

    /// `generate` under the current stop request.
    private static func generateWatching(
        _ kind: OperatorKind, target: TargetSpecification, measurements m: Int, noiseLevel sigma: Double, seed: UInt64,
        precision: DenseEntries.Precision
    ) throws(FactorSenseError) -> SensingProblem {
        var target = target
        if kind == .symmetricGaussian { target.symmetric = true }  // a symmetric operator takes only a symmetric target
        try target.validate()
        try checkNoiseLevel(sigma)
        let sensingOperator = try randomOperator(kind, rows: target.rows, columns: target.columns, measurements: m,
                                                 positiveSemidefinite: target.positiveSemidefinite, rank: target.rank,
                                                 seed: seed, precision: precision)
        let truth = try LowRankTarget.factors(target, seed: seed)
        return try measuring(truth, by: sensingOperator, noiseLevel: sigma, seed: seed,
                             positiveSemidefinite: target.positiveSemidefinite)
    }

    /// Checks σ is finite and ≥ 0.
    static func checkNoiseLevel(_ sigma: Double) throws(FactorSenseError) {
        guard sigma.isFinite else { throw FactorSenseError(.notFinite, "noise_level must be finite, got \(sigma)") }
        guard sigma >= 0 else { throw FactorSenseError(.invalidArgument, "noise_level must be ≥ 0, got \(sigma)") }
    }

    /// The operator `kind` of an n1 × n2 problem with m measurements, drawn from `seed` alone:
    /// the same seed and sizes give the same 𝒜 whether the target is drawn or the caller's.
    /// Refuses m outside its domain, and a problem whose generation (operator, target of rank
    /// `rank` and its measurements together) does not fit in memory, before drawing anything.
    /// A dense operator in `precision` `.single` is the double one rounded.
    static func randomOperator(
        _ kind: OperatorKind, rows n1: Int, columns n2: Int, measurements m: Int, positiveSemidefinite: Bool,
        rank: Int = 1, seed: UInt64, precision: DenseEntries.Precision = .double
    ) throws(FactorSenseError) -> any MeasurementOperator {
        let dense = kind == .gaussian || kind == .symmetricGaussian
        guard dense || precision == .double else {
            throw FactorSenseError(.invalidArgument,
                "precision float32 stores a dense operator (\"gaussian\", \"symmetric_gaussian\"); the \"\(kind.rawValue)\" operator has no dense matrix")
        }
        if kind != .identity {
            let cells = try SizeLimits.product(n1, n2, "n1 · n2")
            guard m >= 1, kind != .completion || m <= cells else {
                throw FactorSenseError(.invalidArgument, kind == .completion
                    ? "measurements must be between 1 and n1 · n2 = \(cells), got \(m)"
                    : "measurements m must be ≥ 1, got \(m)")
            }
        }
        let shape = TargetSpecification(rows: n1, columns: n2, rank: rank, positiveSemidefinite: positiveSemidefinite)
        try MemoryBudget.require(PeakMemory.generation(kind, target: shape, measurements: m, precision: precision),
                                 for: "generating the \(kind.rawValue) problem (n1 = \(n1), n2 = \(n2), m = \(kind == .identity ? n1 * n2 : m))")
        switch kind {
        case .gaussian:
            return try DenseOperator.gaussian(measurements: m, rows: n1, columns: n2, seed: seed).stored(in: precision)
        case .symmetricGaussian:
            guard n1 == n2 else {
                throw FactorSenseError(.invalidArgument, "the symmetric Gaussian operator needs n1 = n2, got \(n1) and \(n2)")
            }
            return try DenseOperator.symmetricGaussian(measurements: m, size: n1, seed: seed).stored(in: precision)
        case .identity:
            return try IdentityOperator(rows: n1, columns: n2)
        case .completion:
            return try EntrySamplingOperator.uniform(rows: n1, columns: n2, measurements: m, seed: seed)
        case .rankOne:
            return try RankOneOperator.gaussian(measurements: m, rows: n1, columns: n2,
                                                symmetric: positiveSemidefinite, seed: seed)
        }
    }

    /// The problem y = 𝒜(X⋆) + ξ, ξ ~ N(0, σ² I_m) from the `.noise` stream of `seed`, with the
    /// symmetric parameterization when `positiveSemidefinite`.
    static func measuring(
        _ truth: GroundTruth, by sensingOperator: any MeasurementOperator, noiseLevel sigma: Double, seed: UInt64,
        positiveSemidefinite: Bool
    ) throws(FactorSenseError) -> SensingProblem {
        var y = truth.measured(by: sensingOperator)
        try StopRequest.checkCurrent("measuring the target")  // the pass may have been abandoned
        if sigma > 0 {
            var noise = GaussianSampler(seed: seed, stream: .noise)
            for i in y.indices { y[i] += sigma * noise.next() }
        }
        return try SensingProblem(operator: sensingOperator, measurements: y, groundTruth: truth,
                                  parameterization: positiveSemidefinite ? .symmetric : .asymmetric)
    }

    /// The Gaussian sensing problem of docs/mathematics.md with an asymmetric target whose singular values
    /// fall geometrically from `scale` to `scale / conditionNumber`; `stop` as for `generate`.
    public static func gaussian(
        rows n1: Int, columns n2: Int, rank r: Int, measurements m: Int,
        scale: Double = 1, conditionNumber: Double = 1, noiseLevel sigma: Double = 0, seed: UInt64 = 0,
        stop: StopRequest? = nil
    ) throws(FactorSenseError) -> SensingProblem {
        try generate(.gaussian, target: TargetSpecification(rows: n1, columns: n2, rank: r, scale: scale, conditionNumber: conditionNumber),
                     measurements: m, noiseLevel: sigma, seed: seed, stop: stop)
    }
}
