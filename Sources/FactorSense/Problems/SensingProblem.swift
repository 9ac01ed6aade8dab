/// A sensing problem: an operator 𝒜, measurements y = 𝒜(X⋆) + ξ, and optionally the ground
/// truth X⋆, against which the test error ‖X − X⋆‖_F/‖X⋆‖_F is measured.
public struct SensingProblem: Sendable {
    /// 𝒜.
    public let sensingOperator: any MeasurementOperator
    /// y, m values.
    public let measurements: [Double]
    /// X⋆ (n1 × n2), or nil when it is not known (real data).
    public let truth: Matrix?

    /// n1.
    public var rows: Int { sensingOperator.rows }
    /// n2.
    public var columns: Int { sensingOperator.columns }
    /// m.
    public var measurementCount: Int { sensingOperator.measurementCount }

    /// The problem of the caller's operator, measurements and (optional) ground truth.
    ///
    /// - Throws: `.sizeMismatch` when y has other than m entries or X⋆ is not n1 × n2;
    ///   `.notFinite` for NaN or infinity in y or X⋆.
    public init(operator sensingOperator: any MeasurementOperator, measurements y: [Double], truth: Matrix? = nil) throws(FactorSenseError) {
        guard y.count == sensingOperator.measurementCount else {
            throw FactorSenseError(.sizeMismatch,
                "y must have m = \(sensingOperator.measurementCount) entries, got \(y.count)")
        }
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            throw FactorSenseError(.notFinite, "y has a non-finite entry \(y[bad]) at index \(bad)")
        }
        if let truth {
            guard truth.rows == sensingOperator.rows, truth.columns == sensingOperator.columns else {
                throw FactorSenseError(.sizeMismatch,
                    "the truth must be \(sensingOperator.rows) × \(sensingOperator.columns), got \(truth.rows) × \(truth.columns)")
            }
            if let bad = truth.elements.firstIndex(where: { !$0.isFinite }) {
                throw FactorSenseError(.notFinite, "the truth has a non-finite entry \(truth.elements[bad]) at (\(bad / truth.columns), \(bad % truth.columns))")
            }
        }
        self.sensingOperator = sensingOperator
        self.measurements = y
        self.truth = truth
    }

    /// The Gaussian sensing problem of SPEC.md: X⋆ from `LowRankTarget.random`, the Gaussian
    /// operator (𝒜X)_i = ⟨G_i, X⟩/√m, and y = 𝒜(X⋆) + ξ with ξ ~ N(0, σ² I_m) drawn from the
    /// `.noise` stream. Same seed, same bits.
    ///
    /// - Throws: `.invalidArgument`, `.notFinite`, `.overflow` or `.outOfMemory` for sizes and
    ///   scalars outside their domains, before anything large is allocated.
    public static func gaussian(
        rows n1: Int, columns n2: Int, rank r: Int, measurements m: Int,
        scale: Double = 1, conditionNumber: Double = 1, noiseLevel sigma: Double = 0, seed: UInt64 = 0
    ) throws(FactorSenseError) -> SensingProblem {
        _ = try DenseOperator.checkedEntryCount(measurements: m, rows: n1, columns: n2)
        try LowRankTarget.validate(rows: n1, columns: n2, rank: r, scale: scale, conditionNumber: conditionNumber)
        guard sigma.isFinite else { throw FactorSenseError(.notFinite, "noise_level must be finite, got \(sigma)") }
        guard sigma >= 0 else { throw FactorSenseError(.invalidArgument, "noise_level must be ≥ 0, got \(sigma)") }

        let truth = try LowRankTarget.random(rows: n1, columns: n2, rank: r, scale: scale,
                                             conditionNumber: conditionNumber, seed: seed)
        let sensingOperator = try DenseOperator.gaussian(measurements: m, rows: n1, columns: n2, seed: seed)
        var y = sensingOperator.apply(truth)
        if sigma > 0 {
            var noise = GaussianSampler(seed: seed, stream: .noise)
            for i in y.indices { y[i] += sigma * noise.next() }
        }
        return try SensingProblem(operator: sensingOperator, measurements: y, truth: truth)
    }
}
