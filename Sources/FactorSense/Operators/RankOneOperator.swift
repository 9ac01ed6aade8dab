/// Rank-one projections: (𝒜X)_i = a_iᵀ X b_i / √m with a_i ~ N(0, I_{n1}), b_i ~ N(0, I_{n2}),
/// or b_i = a_i in the symmetric case. With 𝐀 (m × n1) and 𝐁 (m × n2) holding the a_i and b_i
/// as rows and c = 1/√m, 𝒜*(ρ) = c 𝐀ᵀ diag(ρ) 𝐁, and the gradient never forms A_i:
///
///     ρ = c · rowdot(𝐀U, 𝐁V) − y,   G V = c 𝐀ᵀ diag(ρ) 𝐁V,   Gᵀ U = c 𝐁ᵀ diag(ρ) 𝐀U,
///
/// O(m·(n1 + n2)·k) per gradient.
public struct RankOneOperator: MeasurementOperator {
    /// 𝐀, m × n1, row i = a_i.
    public let left: Matrix
    /// 𝐁, m × n2, row i = b_i (equal to 𝐀 when symmetric).
    public let right: Matrix
    /// c = 1/√m (a restriction to some measurements keeps the c of the whole operator).
    public let scale: Double

    public var measurementCount: Int { left.rows }
    public var rows: Int { left.columns }
    public var columns: Int { right.columns }

    /// Gaussian rank-one projections drawn from the `.sensingOperator` stream of `seed`: the rows
    /// a_i (then, unless symmetric, the rows b_i).
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
        let b = symmetric ? a : try sampler.stoppableMatrix(rows: m, columns: n2)
        return RankOneOperator(left: a, right: b, scale: 1 / Double(m).squareRoot())
    }

    init(left: Matrix, right: Matrix, scale: Double) {
        self.left = left
        self.right = right
        self.scale = scale
    }

    /// c · rowdot(𝐀X, 𝐁): (𝒜X)_i = c a_iᵀ X b_i.
    public func apply(_ x: Matrix) -> [Double] {
        guard fits(x) else { return notMeasurable() }
        return rowDots(BLAS.product(left, x), right).map { scale * $0 }
    }

    /// c · rowdot(𝐀U, 𝐁V): never forms UVᵀ.
    public func apply(product U: Matrix, _ V: Matrix) -> [Double] {
        guard fits(U: U, V: V) else { return notMeasurable() }
        return rowDots(BLAS.product(left, U), BLAS.product(right, V)).map { scale * $0 }
    }

    /// c 𝐀ᵀ diag(ρ) 𝐁.
    public func adjoint(_ residual: [Double]) -> Matrix {
        guard residual.count == measurementCount else { return notAdjointable() }
        return BLAS.product(left, transposeA: true, scaledRows(right, by: residual.map { scale * $0 }))
    }

    /// The pass of the type's documentation.
    public func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let au = BLAS.product(left, U)   // m × k, row i = a_iᵀU
        let bv = BLAS.product(right, V)  // m × k, row i = b_iᵀV
        let residual = zip(rowDots(au, bv), y).map { scale * $0 - $1 }
        let weights = residual.map { scale * $0 }
        return FactorGradient(
            residual: residual,
            gradientU: BLAS.product(left, transposeA: true, scaledRows(bv, by: weights)),
            gradientV: BLAS.product(right, transposeA: true, scaledRows(au, by: weights)))
    }

    /// The rows `indices` of 𝐀 and 𝐁, with the same c.
    public func restricted(to indices: [Int]) -> any MeasurementOperator {
        guard validIndices(indices) else { return restricted(to: []) }
        return RankOneOperator(left: left.selectingRows(indices), right: right.selectingRows(indices), scale: scale)
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
