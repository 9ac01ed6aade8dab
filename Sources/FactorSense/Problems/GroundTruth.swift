/// The ground truth X⋆ of a problem: the caller's dense matrix, or the factors X⋆ = L Rᵀ of a
/// generated target (L = L⋆ diag(s), R = R⋆), which never forms the n1 × n2 matrix — so a
/// 20000 × 20000 completion problem measures its test error in O((n1 + n2)(k + r)²) memory and
/// time rather than O(n1·n2).
public enum GroundTruth: Sendable, Equatable {
    case dense(Matrix)
    case factored(left: Matrix, right: Matrix)

    /// n1.
    public var rows: Int {
        switch self {
        case .dense(let x): x.rows
        case .factored(let left, _): left.rows
        }
    }

    /// n2.
    public var columns: Int {
        switch self {
        case .dense(let x): x.columns
        case .factored(_, let right): right.rows
        }
    }

    /// X⋆ as a dense n1 × n2 matrix (formed on request for a factored truth, after checking
    /// it fits in memory).
    ///
    /// - Throws: `.overflow` or `.outOfMemory` when the n1 × n2 matrix does not fit.
    public var matrix: Matrix {
        get throws(FactorSenseError) {
            switch self {
            case .dense(let x): return x
            case .factored(let left, let right):
                try SizeLimits.checkAllocation(doubles: SizeLimits.product(left.rows, right.rows, "n1 · n2"), "the dense truth X⋆ (n1 · n2)")
                return BLAS.product(left, right, transposeB: true)
            }
        }
    }

    /// ‖X⋆‖_F.
    public var frobeniusNorm: Double {
        switch self {
        case .dense(let x): x.frobeniusNorm
        case .factored(let left, let right): Self.productNorm(left, right)
        }
    }

    /// ‖UVᵀ − X⋆‖_F. For a factored truth, UVᵀ − LRᵀ = [U, −L][V, R]ᵀ, whose norm is that of
    /// the product of the two triangular QR factors: no n1 × n2 matrix and no cancellation.
    ///
    /// NaN when U is not n1 × k and V not n2 × k.
    public func distance(U: Matrix, V: Matrix) -> Double {
        guard U.rows == rows, V.rows == columns, U.columns == V.columns else { return .nan }
        switch self {
        case .dense(let x):
            var difference = x
            BLAS.gemm(1, U, V, transposeB: true, -1, &difference)
            return difference.frobeniusNorm
        case .factored(let left, let right):
            var negated = left
            negated.scale(by: -1)
            return Self.productNorm(U.joiningColumns(negated), V.joiningColumns(right))
        }
    }

    /// 𝒜(X⋆), through `apply(product:_:)` for a factored truth.
    public func measured(by sensingOperator: any MeasurementOperator) -> [Double] {
        switch self {
        case .dense(let x): sensingOperator.apply(x)
        case .factored(let left, let right): sensingOperator.apply(product: left, right)
        }
    }

    /// ‖ABᵀ‖_F = ‖R_A R_Bᵀ‖_F with A = Q_A R_A and B = Q_B R_B.
    static func productNorm(_ a: Matrix, _ b: Matrix) -> Double {
        guard let ra = try? Factorizations.triangularFactor(of: a),
              let rb = try? Factorizations.triangularFactor(of: b)
        else { return BLAS.product(a, b, transposeB: true).frobeniusNorm }
        return BLAS.product(ra, rb, transposeB: true).frobeniusNorm
    }
}
