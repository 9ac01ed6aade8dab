/// Rank-one projections: (𝒜X)_i = a_iᵀ X b_i / √m with a_i ~ N(0, I_{n1}), b_i ~ N(0, I_{n2})
/// drawn independently. With 𝐀 (m × n1) and 𝐁 (m × n2) holding the a_i and b_i as rows and
/// c = 1/√m, 𝒜*(ρ) = c 𝐀ᵀ diag(ρ) 𝐁, and the gradient never forms A_i:
///
///     ρ = c · rowdot(𝐀U, 𝐁V) − y,   G V = c 𝐀ᵀ diag(ρ) 𝐁V,   Gᵀ U = c 𝐁ᵀ diag(ρ) 𝐀U,
///
/// O(m·(n1 + n2)·k) per gradient. E(a_iᵀ X b_i)² = ‖X‖²_F, so E‖𝒜X‖² = ‖X‖²_F.
///
/// The symmetric operator (n1 = n2, for PSD problems) also draws b_i independently of a_i and
/// takes A_i = c (a_i b_iᵀ + b_i a_iᵀ)/2, so (𝒜X)_i = c a_iᵀ sym(X) b_i with sym(X) = (X + Xᵀ)/2
/// and E‖𝒜X‖² = ‖X‖²_F for symmetric X (with b_i = a_i it would be 2‖X‖²_F + (tr X)², and
/// 𝒜*(y) → 2X⋆ + tr(X⋆)·I). With W = diag(cρ):
///
///     ρ = (c/2)(rowdot(𝐀U, 𝐁V) + rowdot(𝐁U, 𝐀V)) − y,   G = ½(𝐀ᵀW𝐁 + 𝐁ᵀW𝐀) (symmetric),
///     G V = ½(𝐀ᵀW(𝐁V) + 𝐁ᵀW(𝐀V)),   Gᵀ U = G U = ½(𝐀ᵀW(𝐁U) + 𝐁ᵀW(𝐀U)),
///
/// twice the products of the asymmetric pass (the same number when U = V).
public struct RankOneOperator: MeasurementOperator {
    /// 𝐀, m × n1, row i = a_i.
    public let left: Matrix
    /// 𝐁, m × n2, row i = b_i (drawn independently of 𝐀, also when symmetric).
    public let right: Matrix
    /// c = 1/√m (a restriction to some measurements keeps the c of the whole operator).
    public let scale: Double
    /// Whether A_i = c (a_i b_iᵀ + b_i a_iᵀ)/2, measuring a_iᵀ sym(X) b_i (n1 = n2).
    public let isSymmetric: Bool

    public var measurementCount: Int { left.rows }
    public var rows: Int { left.columns }
    public var columns: Int { right.columns }

    /// Gaussian rank-one projections drawn from the `.sensingOperator` stream of `seed`: the m
    /// rows a_i first (row by row), then the m rows b_i from the same stream — also when
    /// symmetric, which only changes how they measure.
    ///
    /// - Throws: `.invalidArgument` for sizes below 1 or a symmetric operator with n1 ≠ n2,
    ///   `.overflow` or `.outOfMemory` for sizes too large, `.interrupted` when the current
    ///   `StopRequest` is made during the draws.
    public static func gaussian(measurements m: Int, rows n1: Int, columns n2: Int, symmetric: Bool, seed: UInt64) throws(FactorSenseError) -> RankOneOperator {
        for (value, name) in [(m, "measurements m"), (n1, "rows n1"), (n2, "columns n2")] {
            guard value >= 1 else { throw FactorSenseError(.invalidArgument, "\(name) must be ≥ 1, got \(value)") }
            try SizeLimits.checkDimension(value, name)
        }
        guard !symmetric || n1 == n2 else {
            throw FactorSenseError(.invalidArgument, "a symmetric rank-one operator needs n1 = n2, got \(n1) and \(n2)")
        }
        let entries = try SizeLimits.product(m, n1 + n2, "m · (n1 + n2)")
        try SizeLimits.checkAllocation(doubles: entries, "the rank-one vectors")
        var sampler = GaussianSampler(seed: seed, stream: .sensingOperator)
        let a = try sampler.stoppableMatrix(rows: m, columns: n1)
        let b = try sampler.stoppableMatrix(rows: m, columns: n2)  // b_i independent of a_i, symmetric or not
        return RankOneOperator(left: a, right: b, scale: 1 / Double(m).squareRoot(), symmetric: symmetric)
    }

    init(left: Matrix, right: Matrix, scale: Double, symmetric: Bool = false) {
        self.left = left
        self.right = right
        self.scale = scale
        self.isSymmetric = symmetric && left.columns == right.columns
    }

    /// c · rowdot(𝐀X, 𝐁), or c · rowdot(𝐀 sym(X), 𝐁) when symmetric.
    public func apply(_ x: Matrix) -> [Double] {
        guard fits(x) else { return notMeasurable() }
        var measured = x
        if isSymmetric { measured.symmetrize() }
        return rowDots(BLAS.product(left, measured), right).map { scale * $0 }
    }

    /// c · rowdot(𝐀U, 𝐁V) (symmetric: the mean with c · rowdot(𝐁U, 𝐀V)): never forms UVᵀ.
    public func apply(product U: Matrix, _ V: Matrix) -> [Double] {
        guard fits(U: U, V: V) else { return notMeasurable() }
        let direct = rowDots(BLAS.product(left, U), BLAS.product(right, V))
        guard isSymmetric else { return direct.map { scale * $0 } }
        let swapped = rowDots(BLAS.product(right, U), BLAS.product(left, V))
        return zip(direct, swapped).map { scale * (0.5 * ($0 + $1)) }
    }

    /// c 𝐀ᵀ diag(ρ) 𝐁, symmetrized when symmetric.
    public func adjoint(_ residual: [Double]) -> Matrix {
        guard residual.count == measurementCount else { return notAdjointable() }
        var g = BLAS.product(left, transposeA: true, scaledRows(right, by: residual.map { scale * $0 }))
        if isSymmetric { g.symmetrize() }
        return g
    }

    /// The pass of the type's documentation.
    public func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let au = BLAS.product(left, U)   // m × k, row i = a_iᵀU
        let bv = BLAS.product(right, V)  // m × k, row i = b_iᵀV
        guard isSymmetric else {
            let residual = zip(rowDots(au, bv), y).map { scale * $0 - $1 }
            let weights = residual.map { scale * $0 }
            return FactorGradient(
                residual: residual,
                gradientU: BLAS.product(left, transposeA: true, scaledRows(bv, by: weights)),
                gradientV: BLAS.product(right, transposeA: true, scaledRows(au, by: weights)))
        }
        let same = U.elements == V.elements
        let bu = same ? bv : BLAS.product(right, U)  // row i = b_iᵀU
        let av = same ? au : BLAS.product(left, V)   // row i = a_iᵀV
        let residual = zip(zip(rowDots(au, bv), rowDots(bu, av)), y).map { scale * (0.5 * ($0.0 + $0.1)) - $1 }
        let weights = residual.map { 0.5 * scale * $0 }
        var gradientU = BLAS.product(left, transposeA: true, scaledRows(bv, by: weights))
        BLAS.gemm(1, right, transposeA: true, scaledRows(av, by: weights), 1, &gradientU)
        let gradientV: Matrix
        if same {
            gradientV = gradientU
        } else {
            var gv = BLAS.product(left, transposeA: true, scaledRows(bu, by: weights))
            BLAS.gemm(1, right, transposeA: true, scaledRows(au, by: weights), 1, &gv)
            gradientV = gv
        }
        return FactorGradient(residual: residual, gradientU: gradientU, gradientV: gradientV)
    }

    /// The rows `indices` of 𝐀 and 𝐁, with the same c.
    public func restricted(to indices: [Int]) -> any MeasurementOperator {
        guard validIndices(indices) else { return restricted(to: []) }
        return RankOneOperator(left: left.selectingRows(indices), right: right.selectingRows(indices), scale: scale,
                               symmetric: isSymmetric)
    }

    /// (Σ_j x_ij y_ij)_i for two matrices of the same shape.
    private func rowDots(_ x: Matrix, _ y: Matrix) -> [Double] {
        (0..<x.rows).map { i in
            var sum = 0.0
            for j in 0..<x.columns { sum += x[i, j] * y[i, j] }
            return sum
        }
    }

    /// diag(w) X.
    private func scaledRows(_ x: Matrix, by w: [Double]) -> Matrix {
        var result = x
        for i in 0..<x.rows {
            for j in 0..<x.columns { result[i, j] *= w[i] }
        }
        return result
    }
}

extension RankOneOperator {
    public var kindName: String { "rank_one" }

    public var rankOneProjections: (left: Matrix, right: Matrix, scale: Double)? { (left, right, scale) }

    /// The restriction's vectors a_i, b_i (count · (n1 + n2)).
    public func restrictionNeeds(measurements count: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("vectors (\(count) · (n1 + n2))", count, PeakMemory.plus(rows, columns))
        return ledger.needs
    }

    /// 𝐀U, 𝐁V (and for the symmetric operator 𝐁U, 𝐀V) with their row-scaled copies, and the weights.
    public func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles(isSymmetric ? "𝐀U, 𝐁V, 𝐁U, 𝐀V and their row-scaled copies (8 m · width)"
                                       : "𝐀U, 𝐁V and their row-scaled copies (4 m · width)",
                           isSymmetric ? 8 : 4, count, k)
        try ledger.doubles("the weights (m)", count)
        return ledger.needs
    }

    /// 𝐀X, and sym(X) for the symmetric operator.
    public func applyNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("𝐀X (m · n2)", measurementCount, columns)
        if isSymmetric { try ledger.doubles("sym(X) (n1 · n2)", rows, columns) }
        return ledger.needs
    }

    /// The row-scaled 𝐁.
    public func adjointNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("the row-scaled 𝐁 (m · n2)", measurementCount, columns)
        return ledger.needs
    }
}
