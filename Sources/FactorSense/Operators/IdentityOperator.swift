/// The identity operator of plain matrix factorization (Ye & Du): m = n1·n2, 𝒜X = vec(X),
/// 𝒜*(ρ) = mat(ρ), so f(U, V) = ½‖UVᵀ − Σ‖²_F with Σ = mat(y). One gradient costs O(n1·n2·k).
public struct IdentityOperator: MeasurementOperator {
    public let rows: Int
    public let columns: Int
    public var measurementCount: Int { rows * columns }

    /// The identity on n1 × n2 matrices.
    ///
    /// - Throws: `.invalidArgument` for a size below 1, `.overflow` or `.outOfMemory` when
    ///   n1·n2 is too large.
    public init(rows n1: Int, columns n2: Int) throws(FactorSenseError) {
        guard n1 >= 1, n2 >= 1 else {
            throw FactorSenseError(.invalidArgument, "n1 and n2 must be ≥ 1, got \(n1) and \(n2)")
        }
        let count = try SizeLimits.product(n1, n2, "n1 · n2")
        try SizeLimits.checkDimension(count, "n1 · n2")
        try SizeLimits.checkAllocation(doubles: count, "an n1 × n2 matrix")
        self.rows = n1
        self.columns = n2
    }

    /// vec(X).
    public func apply(_ x: Matrix) -> [Double] {
        guard fits(x) else { return notMeasurable() }
        return x.elements
    }

    /// mat(ρ).
    public func adjoint(_ residual: [Double]) -> Matrix {
        guard residual.count == measurementCount else { return notAdjointable() }
        var g = Matrix(rows: rows, columns: columns)
        g.elements = residual
        return g
    }

    /// The entries `indices` of X: entry sampling with scale 1.
    public func restricted(to indices: [Int]) -> any MeasurementOperator {
        guard validIndices(indices) else { return restricted(to: []) }
        return EntrySamplingOperator(unchecked: rows, columns,
                              indices.map { $0 / columns }, indices.map { $0 % columns }, scale: 1)
    }
}
