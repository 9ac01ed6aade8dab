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

    /// ρ = vec(UVᵀ) − y, ∇_U = mat(ρ) V and ∇_V = mat(ρ)ᵀ U in one pass over fixed blocks of
    /// rows (`FixedChunks`): for the rows R of block c,
    ///
    ///     ρ_R = U_R Vᵀ − Y_R,   (∇_U)_R = ρ_R V,   P_c = ρ_Rᵀ U_R,
    ///
    /// each by single-threaded BLAS while ρ_R is in cache, and ∇_V = P_0 + P_1 + ⋯ added in
    /// block order. The blocks run in parallel on the cores; their boundaries depend on n1
    /// alone, so the bits do not depend on the thread count.
    public func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let (n1, n2, k) = (rows, columns, U.columns)
        var residual = [Double](repeating: 0, count: n1 * n2)
        var gradientU = Matrix(rows: n1, columns: k)
        var partials = [Double](repeating: 0, count: FixedChunks.count * n2 * k)
        residual.withUnsafeMutableBufferPointer { rp in
            gradientU.elements.withUnsafeMutableBufferPointer { gp in
                partials.withUnsafeMutableBufferPointer { pp in
                    U.elements.withUnsafeBufferPointer { up in
                        V.elements.withUnsafeBufferPointer { vp in
                            y.withUnsafeBufferPointer { yp in
                                guard let r = rp.baseAddress, let yBase = yp.baseAddress else { return }
                                let (u, v, g, p) = (up.baseAddress, vp.baseAddress, gp.baseAddress, pp.baseAddress)
                                FixedChunks.forEach(rows: n1, work: n1 * n2 * k) { c, block in
                                    guard !block.isEmpty else { return }
                                    let (first, count) = (block.lowerBound, block.count)
                                    let rho = r + first * n2
                                    BLAS.gemm(rows: count, columns: n2, inner: k, 1, u.map { $0 + first * k }, k, transposeA: false,
                                              v, k, transposeB: true, 0, rho, n2)
                                    let target = yBase + first * n2
                                    for i in 0..<(count * n2) { rho[i] -= target[i] }
                                    BLAS.gemm(rows: count, columns: k, inner: n2, 1, rho, n2, transposeA: false,
                                              v, k, transposeB: false, 0, g.map { $0 + first * k }, k)
                                    BLAS.gemm(rows: n2, columns: k, inner: count, 1, rho, n2, transposeA: true,
                                              u.map { $0 + first * k }, k, transposeB: false, 0, p.map { $0 + c * n2 * k }, k)
                                }
                            }
                        }
                    }
                }
            }
        }
        var gradientV = Matrix(rows: n2, columns: k)
        gradientV.elements = FixedChunks.sumInOrder(partials, width: n2 * k)
        return FactorGradient(residual: residual, gradientU: gradientU, gradientV: gradientV)
    }

    /// The entries `indices` of X: entry sampling with scale 1.
    public func restricted(to indices: [Int]) -> any MeasurementOperator {
        guard validIndices(indices) else { return restricted(to: []) }
        return EntrySamplingOperator(unchecked: rows, columns,
                              indices.map { $0 / columns }, indices.map { $0 % columns }, scale: 1)
    }
}

extension IdentityOperator {
    public var kindName: String { "identity" }

    public var observedCells: ObservedCells { .all }

    /// The row blocks' partial sums of ∇_V.
    public func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("the row blocks' partial sums of ∇_V (\(FixedChunks.count) n2 · width)", FixedChunks.count, columns, k)
        return ledger.needs
    }
}
