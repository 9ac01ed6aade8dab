/// The caller's own target X⋆ in place of a drawn one (docs/mathematics.md, "Targets").
///
/// A target is a `GroundTruth`: a dense n1 × n2 matrix, or factors X⋆ = L diag(s) Rᵀ kept as
/// `.factored(left: L diag(s), right: R)` so that no n1 × n2 matrix is ever formed (a PSD
/// target L diag(s) Lᵀ has right = L). `SensingProblem.generate(_:target:positiveSemidefinite:…)`
/// measures it with the same random operator and noise that a drawn target of the same sizes
/// and seed would get.
///
/// What "rank" means for the caller's target, dense or factored: its numerical rank, the number
/// of singular values above σ₁ · max(n1, n2) · ε (numpy's `matrix_rank` rule) — for factors
/// L diag(s) Rᵀ that is r unless some s_i is 0 or the columns of L or R are dependent. It is
/// never needed to generate a problem; a caller who states one has it checked.
extension GroundTruth {
    /// The relative tolerance of the checks a PSD target passes: ‖X⋆ − X⋆ᵀ‖_F ≤ tol · ‖X⋆‖_F
    /// and λ_min(X⋆) ≥ −tol · max_i |λ_i(X⋆)|. It admits the rounding of a matrix formed as
    /// L diag(s) Lᵀ in floating point (of order n·ε) and refuses anything that is not PSD.
    public static let positiveSemidefiniteTolerance = 1e-10

    /// The relative tolerance of "symmetric" for a target of a symmetric operator (and of a PSD
    /// target): ‖X⋆ − X⋆ᵀ‖_F ≤ tol · ‖X⋆‖_F, the same 1e-10 as `positiveSemidefiniteTolerance`.
    public static let symmetryTolerance = 1e-10

    /// Checks that X⋆ is square and symmetric to `symmetryTolerance`, as a target of `operatorName`,
    /// a symmetric operator (every A_i symmetric), must be: it sees only sym(X⋆) = (X⋆ + X⋆ᵀ)/2, so
    /// the antisymmetric part of any other target could never be recovered. O(n²) for a dense X⋆,
    /// O(n r²) for factors.
    ///
    /// - Throws: `.invalidArgument` naming the operator, ‖X⋆ − X⋆ᵀ‖_F/‖X⋆‖_F and the tolerance.
    public func checkSymmetric(for operatorName: String) throws(FactorSenseError) {
        guard rows == columns else {
            throw FactorSenseError(.invalidArgument,
                "the \(operatorName) operator measures only symmetric n × n targets, got \(rows) × \(columns)")
        }
        let norm = frobeniusNorm
        let asymmetry = norm > 0 ? antisymmetricPartNorm / norm : 0
        guard asymmetry <= Self.symmetryTolerance else {
            throw FactorSenseError(.invalidArgument,
                "the \(operatorName) operator takes only a symmetric target: it sees only (X + Xᵀ)/2, so the antisymmetric part of X⋆ could never be recovered, and ‖X⋆ − X⋆ᵀ‖_F/‖X⋆‖_F = \(asymmetry) exceeds \(Self.symmetryTolerance)")
        }
    }

    /// X⋆ = L diag(s) Rᵀ, or L diag(s) Lᵀ when `right` is nil, as
    /// `.factored(left: L diag(s), right: R)`.
    ///
    /// L is n1 × r and R is n2 × r with 1 ≤ r ≤ min(n1, n2), s has r entries, all ≥ 0. Neither
    /// an order of s nor orthonormal L, R is required: X⋆ is the product whatever they are (with
    /// orthonormal L, R and descending s, s are its singular values).
    ///
    /// - Throws: `.sizeMismatch` when the shapes of L, s and R disagree; `.invalidArgument` for
    ///   r = 0, r > min(n1, n2) or a negative s_i; `.notFinite` for NaN or infinity in L, s or R.
    public static func factors(left: Matrix, diagonal s: [Double], right: Matrix? = nil) throws(FactorSenseError) -> GroundTruth {
        let r = s.count
        guard left.columns == r else {
            throw FactorSenseError(.sizeMismatch, "L must have r = \(r) columns (one per entry of s), got \(left.rows) × \(left.columns)")
        }
        if let right, right.columns != r {
            throw FactorSenseError(.sizeMismatch, "R must have r = \(r) columns (one per entry of s), got \(right.rows) × \(right.columns)")
        }
        let rightFactor = right ?? left
        try checkFactorShapes(rows: left.rows, columns: rightFactor.rows, rank: r)
        try checkFinite(left.elements, "L", columns: left.columns)
        try checkFinite(s, "s", columns: nil)
        try checkFinite(rightFactor.elements, "R", columns: rightFactor.columns)
        if let bad = s.firstIndex(where: { $0 < 0 }) {
            throw FactorSenseError(.invalidArgument, "s must be ≥ 0, got s[\(bad)] = \(s[bad])")
        }
        var scaled = left
        for i in 0..<scaled.rows {
            for j in 0..<r { scaled[i, j] *= s[j] }
        }
        return .factored(left: scaled, right: rightFactor)
    }

    /// Checks that X⋆ can be the target of a generated problem: both dimensions ≥ 1 and within
    /// what BLAS indexes, every entry finite, X⋆ ≠ 0 (its relative test error divides by
    /// ‖X⋆‖_F), factors of 1 ≤ r ≤ min(n1, n2) columns; and, when `positiveSemidefinite`, X⋆
    /// square, symmetric and PSD to `positiveSemidefiniteTolerance`.
    ///
    /// Costs O(n1·n2) for a dense X⋆ (O(n³) more for the eigenvalues of a PSD one) and
    /// O((n1 + n2) r²) for factors.
    public func validateAsTarget(positiveSemidefinite: Bool) throws(FactorSenseError) {
        switch self {
        case .dense(let x):
            guard x.rows >= 1, x.columns >= 1 else {
                throw FactorSenseError(.invalidArgument, "the target is empty: it is \(x.rows) × \(x.columns)")
            }
            try SizeLimits.checkDimension(try SizeLimits.product(x.rows, x.columns, "n1 · n2"), "n1 · n2")
            try Self.checkFinite(x.elements, "the target", columns: x.columns)
        case .factored(let left, let right):
            guard left.columns == right.columns else {
                throw FactorSenseError(.sizeMismatch,
                    "the target's factors must have the same number of columns, got \(left.columns) and \(right.columns)")
            }
            try Self.checkFactorShapes(rows: left.rows, columns: right.rows, rank: left.columns)
            try Self.checkFinite(left.elements, "the target's left factor", columns: left.columns)
            try Self.checkFinite(right.elements, "the target's right factor", columns: right.columns)
        }
        let norm = frobeniusNorm
        guard norm > 0 else {
            throw FactorSenseError(.invalidArgument,
                "the target is the zero matrix: its rank is 0 and its relative test error ‖X − X⋆‖_F/‖X⋆‖_F is undefined")
        }
        if positiveSemidefinite { try checkPositiveSemidefinite(norm: norm) }
    }

    /// The singular values σ₁ ≥ σ₂ ≥ … ≥ 0 of X⋆: min(n1, n2) of them for a dense X⋆; for
    /// factors X⋆ = ABᵀ with r columns, the min(n1, n2, r) of R_A R_Bᵀ, where A = Q_A R_A and
    /// B = Q_B R_B (the other singular values of X⋆ are 0), in O((n1 + n2) r²).
    public func singularValues() throws(FactorSenseError) -> [Double] {
        switch self {
        case .dense(let x):
            return try Factorizations.singularValues(of: x)
        case .factored(let left, let right):
            let core = BLAS.product(try Factorizations.triangularFactor(of: left),
                                    try Factorizations.triangularFactor(of: right), transposeB: true)
            return try Factorizations.singularValues(of: core)
        }
    }

    /// The numerical rank of X⋆: the number of singular values above σ₁ · max(n1, n2) · ε,
    /// numpy's `matrix_rank` rule (0 for X⋆ = 0).
    public func numericalRank() throws(FactorSenseError) -> Int {
        let sigma = try singularValues()
        guard let largest = sigma.first, largest > 0 else { return 0 }
        let threshold = largest * Double(Swift.max(rows, columns)) * Double.ulpOfOne
        return sigma.filter { $0 > threshold }.count
    }

    // MARK: - Checks

    /// Factors of an n1 × n2 target with r columns: n1, n2 ≥ 1 within BLAS's indices, n1·n2
    /// representable, 1 ≤ r ≤ min(n1, n2).
    static func checkFactorShapes(rows n1: Int, columns n2: Int, rank r: Int) throws(FactorSenseError) {
        guard n1 >= 1, n2 >= 1 else {
            throw FactorSenseError(.invalidArgument, "the target is empty: it is \(n1) × \(n2)")
        }
        try SizeLimits.checkDimension(try SizeLimits.product(n1, n2, "n1 · n2"), "n1 · n2")
        guard r >= 1, r <= Swift.min(n1, n2) else {
            throw FactorSenseError(.invalidArgument,
                "the target's factors must have between 1 and min(n1, n2) = \(Swift.min(n1, n2)) columns, got r = \(r)")
        }
    }

    /// Throws `.notFinite` naming the first NaN or infinity of a row-major array
    /// (`columns` nil for a vector).
    static func checkFinite(_ values: [Double], _ name: String, columns: Int?) throws(FactorSenseError) {
        guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return }
        let place = if let columns, columns > 0 { "(\(bad / columns), \(bad % columns))" } else { "index \(bad)" }
        throw FactorSenseError(.notFinite, "\(name) has a non-finite entry \(values[bad]) at \(place)")
    }

    /// X⋆ square, ‖X⋆ − X⋆ᵀ‖_F ≤ tol · ‖X⋆‖_F and λ_min ≥ −tol · max|λ|.
    func checkPositiveSemidefinite(norm: Double) throws(FactorSenseError) {
        guard rows == columns else {
            throw FactorSenseError(.invalidArgument,
                "a PSD target X⋆ = UUᵀ is square, got \(rows) × \(columns); use the asymmetric parameterization (psd false)")
        }
        let tolerance = Self.positiveSemidefiniteTolerance
        let asymmetry = antisymmetricPartNorm / norm
        guard asymmetry <= tolerance else {
            throw FactorSenseError(.invalidArgument,
                "a PSD target must be symmetric: ‖X⋆ − X⋆ᵀ‖_F/‖X⋆‖_F = \(asymmetry) exceeds \(tolerance); use the asymmetric parameterization (psd false)")
        }
        let lambda = try eigenvaluesOfSymmetric()
        guard let smallest = lambda.min(), let largestMagnitude = lambda.map(abs).max() else { return }
        guard smallest >= -tolerance * largestMagnitude else {
            throw FactorSenseError(.invalidArgument,
                "a PSD target must have no negative eigenvalue, but X⋆ has λ_min = \(smallest) (the largest |λ| is \(largestMagnitude), tolerance \(tolerance) relative to it), so it is not UUᵀ for any U; use the asymmetric parameterization (psd false)")
        }
    }

    /// ‖X⋆ − X⋆ᵀ‖_F of a square X⋆; for factors, ‖ABᵀ − BAᵀ‖_F = ‖[A, −B][B, A]ᵀ‖_F without
    /// forming an n × n matrix.
    var antisymmetricPartNorm: Double {
        switch self {
        case .dense(let x):
            var sum = 0.0
            for i in 0..<x.rows {
                for j in (i + 1)..<Swift.max(i + 1, x.columns) {
                    let d = x[i, j] - x[j, i]
                    sum += 2 * d * d
                }
            }
            return sum.squareRoot()
        case .factored(let left, let right):
            var negated = right
            negated.scale(by: -1)
            return Self.productNorm(left.joiningColumns(negated), right.joiningColumns(left))
        }
    }

    /// The eigenvalues of a symmetric X⋆ (ascending). For factors X⋆ = ABᵀ, whose range lies in
    /// that of B = QR: the r eigenvalues of the r × r matrix Qᵀ X⋆ Q = (QᵀA)(QᵀB)ᵀ (the other
    /// n − r are 0), in O(n r²).
    func eigenvaluesOfSymmetric() throws(FactorSenseError) -> [Double] {
        switch self {
        case .dense(let x):
            return try Factorizations.symmetricEigen(of: x).values
        case .factored(let left, let right):
            let q = try Factorizations.orthonormalFactor(of: right)
            var core = BLAS.product(BLAS.product(q, transposeA: true, left), BLAS.product(q, transposeA: true, right),
                                    transposeB: true)
            core.symmetrize()
            var values = try Factorizations.symmetricEigen(of: core).values
            if right.rows > right.columns { values.append(0) }
            return values.sorted()
        }
    }
}

extension SensingProblem {
    /// The problem of the caller's own target X⋆: the operator `kind` with m measurements
    /// (m = n1·n2 for `.identity`, where `measurements` is ignored) drawn from `seed` exactly as
    /// for a drawn target of the same n1 × n2 (so the same seed gives the same 𝒜 whichever the
    /// target), and y = 𝒜(X⋆) + ξ with ξ ~ N(0, σ² I_m) from the `.noise` stream of `seed`.
    ///
    /// `positiveSemidefinite` chooses the symmetric parameterization X = UUᵀ (and, for
    /// `.rankOne`, the symmetric operator a_iᵀ sym(X) b_i/√m); X⋆ must then be symmetric PSD
    /// (`GroundTruth.validateAsTarget`). The symmetric Gaussian operator takes only a symmetric
    /// X⋆ (`checkSymmetric(for:)`), PSD or not.
    /// `rank`, when given, is the rank the caller expects X⋆ to have, checked against its
    /// numerical rank (`GroundTruth.numericalRank`); nothing needs it.
    ///
    /// ```swift
    /// let x = try Matrix(rows: 3, columns: 2, elements: [1, 2, 2, 4, 3, 6])   // rank 1
    /// let p = try SensingProblem.generate(.gaussian, target: .dense(x), measurements: 40, seed: 7)
    /// let q = try SensingProblem.generate(.completion, target: .factors(left: l, diagonal: s, right: r),
    ///                                     measurements: 500, noiseLevel: 0.01, seed: 7)
    /// ```
    ///
    /// `stop`, when given, is watched throughout (it becomes `StopRequest.current`): the draws of
    /// the operator and the pass for 𝒜(X⋆) check it at least every few milliseconds.
    ///
    /// - Throws: everything `validateAsTarget` throws; `.invalidArgument` for a non-symmetric
    ///   target of the symmetric Gaussian operator, and for a `rank` other
    ///   than the numerical rank; then what σ and the operator's sizes may throw, before
    ///   anything large is allocated; `.interrupted` when a stop is requested (of `stop`, or of
    ///   the current request) before the problem is complete.
    public static func generate(
        _ kind: OperatorKind, target: GroundTruth, positiveSemidefinite: Bool = false, rank expected: Int? = nil,
        measurements m: Int,
        noiseLevel sigma: Double = 0, seed: UInt64 = 0, precision: DenseEntries.Precision = .double,
        stop: StopRequest? = nil
    ) throws(FactorSenseError) -> SensingProblem {
        try StopRequest.watching(stop) { () throws(FactorSenseError) in
            try generateWatching(kind, target: target, positiveSemidefinite: positiveSemidefinite, rank: expected,
                                 measurements: m, noiseLevel: sigma, seed: seed, precision: precision)
        }
    }

    /// `generate` under the current stop request.
    private static func generateWatching(
        _ kind: OperatorKind, target: GroundTruth, positiveSemidefinite: Bool, rank expected: Int?,
        measurements m: Int, noiseLevel sigma: Double, seed: UInt64, precision: DenseEntries.Precision
    ) throws(FactorSenseError) -> SensingProblem {
        guard kind != .symmetricGaussian || target.rows == target.columns else {
            throw FactorSenseError(.invalidArgument,
                "the symmetric Gaussian operator needs a square target, got \(target.rows) × \(target.columns)")
        }
        try target.validateAsTarget(positiveSemidefinite: positiveSemidefinite)
        if kind == .symmetricGaussian { try target.checkSymmetric(for: "symmetric Gaussian") }
        if let expected {
            let actual = try target.numericalRank()
            guard expected == actual else {
                throw FactorSenseError(.invalidArgument,
                    "rank is \(expected), but the target's numerical rank (its singular values above σ₁ · max(n1, n2) · ε) is \(actual)")
            }
        }
        try checkNoiseLevel(sigma)
        let sensingOperator = try randomOperator(kind, rows: target.rows, columns: target.columns, measurements: m,
                                                 positiveSemidefinite: positiveSemidefinite, seed: seed, precision: precision)
        return try measuring(target, by: sensingOperator, noiseLevel: sigma, seed: seed,
                             positiveSemidefinite: positiveSemidefinite)
    }
}
