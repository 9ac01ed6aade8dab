/// Entry sampling, the operator of matrix completion: (𝒜X)_i = c · X_{a_i b_i} for m distinct
/// positions (a_i, b_i), with c = √(n1·n2/m) for the built-in uniform sampling (so that
/// E‖𝒜X‖² = ‖X‖²_F) or the caller's scale. 𝒜*(ρ) puts c·ρ_i at (a_i, b_i).
///
/// The gradient never forms an n1 × n2 matrix: with u_a the rows of U and v_b those of V,
///
///     ρ_i = c ⟨u_{a_i}, v_{b_i}⟩ − y_i,   (G V)_{a_i} += c ρ_i v_{b_i},   (Gᵀ U)_{b_i} += c ρ_i u_{a_i},
///
/// O(m·k) per gradient.
public struct EntrySamplingOperator: MeasurementOperator {
    public let rows: Int
    public let columns: Int
    /// a_i, the row of each sampled entry.
    public let rowIndices: [Int]
    /// b_i, the column of each sampled entry.
    public let columnIndices: [Int]
    /// c, the factor every measurement is multiplied by.
    public let scale: Double
    public var measurementCount: Int { rowIndices.count }

    /// The caller's positions (a_i, b_i) with scale c.
    ///
    /// - Throws: `.invalidArgument` for sizes below 1, no entries, an index out of range, a
    ///   repeated position or a scale ≤ 0; `.sizeMismatch` when the index arrays differ in
    ///   length; `.notFinite` for a non-finite scale.
    public init(rows n1: Int, columns n2: Int, rowIndices: [Int], columnIndices: [Int], scale: Double = 1) throws(FactorSenseError) {
        try Self.checkShape(rows: n1, columns: n2)
        guard rowIndices.count == columnIndices.count else {
            throw FactorSenseError(.sizeMismatch,
                "rows and columns must have the same length, got \(rowIndices.count) and \(columnIndices.count)")
        }
        guard !rowIndices.isEmpty else { throw FactorSenseError(.invalidArgument, "at least one entry is needed") }
        guard scale.isFinite else { throw FactorSenseError(.notFinite, "scale must be finite, got \(scale)") }
        guard scale > 0 else { throw FactorSenseError(.invalidArgument, "scale must be > 0, got \(scale)") }
        for i in rowIndices.indices {
            let (a, b) = (rowIndices[i], columnIndices[i])
            guard a >= 0, a < n1, b >= 0, b < n2 else {
                throw FactorSenseError(.invalidArgument,
                    "entry \(i) at (\(a), \(b)) is outside the \(n1) × \(n2) matrix")
            }
        }
        let order = rowIndices.indices.sorted { (rowIndices[$0], columnIndices[$0]) < (rowIndices[$1], columnIndices[$1]) }
        for (previous, next) in zip(order, order.dropFirst())
        where rowIndices[previous] == rowIndices[next] && columnIndices[previous] == columnIndices[next] {
            throw FactorSenseError(.invalidArgument,
                "entries \(min(previous, next)) and \(max(previous, next)) repeat the position (\(rowIndices[next]), \(columnIndices[next]))")
        }
        self.init(unchecked: n1, n2, rowIndices, columnIndices, scale: scale)
    }

    /// Checks 1 ≤ n1, n2 and that both fit BLAS's indices.
    private static func checkShape(rows n1: Int, columns n2: Int) throws(FactorSenseError) {
        guard n1 >= 1, n2 >= 1 else {
            throw FactorSenseError(.invalidArgument, "n1 and n2 must be ≥ 1, got \(n1) and \(n2)")
        }
        try SizeLimits.checkDimension(n1, "n1")
        try SizeLimits.checkDimension(n2, "n2")
    }

    init(unchecked n1: Int, _ n2: Int, _ rowIndices: [Int], _ columnIndices: [Int], scale: Double) {
        self.rows = n1
        self.columns = n2
        self.rowIndices = rowIndices
        self.columnIndices = columnIndices
        self.scale = scale
    }

    /// m distinct positions drawn uniformly from the n1 × n2 grid (from the `.sensingOperator`
    /// stream of `seed`: cells are drawn uniformly and repeats redrawn, or, when m > n1·n2/2, the
    /// cells left out are), listed in row-major order, with c = √(n1·n2/m).
    ///
    /// - Throws: `.invalidArgument` unless 1 ≤ m ≤ n1·n2; `.interrupted` when the current
    ///   `StopRequest` is made during the draws.
    public static func uniform(rows n1: Int, columns n2: Int, measurements m: Int, seed: UInt64) throws(FactorSenseError) -> EntrySamplingOperator {
        try Self.checkShape(rows: n1, columns: n2)
        let cells = try SizeLimits.product(n1, n2, "n1 · n2")
        guard m >= 1, m <= cells else {
            throw FactorSenseError(.invalidArgument, "measurements must be between 1 and n1 · n2 = \(cells), got \(m)")
        }
        let complement = m > cells / 2
        try MemoryBudget.require(PeakMemory.completionSampling(cells: cells, measurements: m),
                                 for: "sampling \(m) of the \(cells) cells of an \(n1) × \(n2) matrix")
        var generator = SeededGenerator(seed: seed, stream: RandomStream.sensingOperator.rawValue)
        var drawn = Set<Int>(minimumCapacity: complement ? cells - m : m)
        var draws = 0
        while drawn.count < (complement ? cells - m : m) {
            drawn.insert(Int(generator.next(upperBound: UInt64(cells))))
            draws += 1
            if draws % StopRequest.checkInterval == 0 { try StopRequest.checkCurrent("drawing the sampled positions") }
        }
        try StopRequest.checkCurrent("drawing the sampled positions")
        let chosen = complement ? (0..<cells).filter { !drawn.contains($0) } : drawn.sorted()
        return EntrySamplingOperator(unchecked: n1, n2, chosen.map { $0 / n2 }, chosen.map { $0 % n2 },
                                     scale: (Double(cells) / Double(m)).squareRoot())
    }

    /// c · X_{a_i b_i}.
    public func apply(_ x: Matrix) -> [Double] {
        guard fits(x) else { return notMeasurable() }
        return rowIndices.indices.map { scale * x[rowIndices[$0], columnIndices[$0]] }
    }

    /// c ⟨u_{a_i}, v_{b_i}⟩, O(m·k): never forms UVᵀ.
    public func apply(product U: Matrix, _ V: Matrix) -> [Double] {
        guard fits(U: U, V: V) else { return notMeasurable() }
        return rowIndices.indices.map { i in
            let (a, b) = (rowIndices[i], columnIndices[i])
            return scale * (0..<U.columns).reduce(0.0) { $0 + U[a, $1] * V[b, $1] }
        }
    }

    /// The n1 × n2 matrix with c·ρ_i at (a_i, b_i) and zeros elsewhere.
    public func adjoint(_ residual: [Double]) -> Matrix {
        guard residual.count == measurementCount else { return notAdjointable() }
        var g = Matrix(rows: rows, columns: columns)
        for i in residual.indices { g[rowIndices[i], columnIndices[i]] += scale * residual[i] }
        return g
    }

    /// The sparse pass of the type's documentation, O(m·k).
    public func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let k = U.columns
        var residual = [Double](repeating: 0, count: measurementCount)
        var gradientU = Matrix(rows: U.rows, columns: k)
        var gradientV = Matrix(rows: V.rows, columns: k)
        U.elements.withUnsafeBufferPointer { u in
            V.elements.withUnsafeBufferPointer { v in
                gradientU.elements.withUnsafeMutableBufferPointer { gu in
                    gradientV.elements.withUnsafeMutableBufferPointer { gv in
                        for i in 0..<measurementCount {
                            let a = rowIndices[i] * k, b = columnIndices[i] * k
                            var inner = 0.0
                            for j in 0..<k { inner += u[a + j] * v[b + j] }
                            let r = scale * inner - y[i]
                            residual[i] = r
                            let weight = scale * r
                            for j in 0..<k {
                                gu[a + j] += weight * v[b + j]
                                gv[b + j] += weight * u[a + j]
                            }
                        }
                    }
                }
            }
        }
        return FactorGradient(residual: residual, gradientU: gradientU, gradientV: gradientV)
    }

    /// The entries `indices`.
    public func restricted(to indices: [Int]) -> any MeasurementOperator {
        guard validIndices(indices) else { return restricted(to: []) }
        return EntrySamplingOperator(unchecked: rows, columns, indices.map { rowIndices[$0] },
                              indices.map { columnIndices[$0] }, scale: scale)
    }
}

extension EntrySamplingOperator {
    public var kindName: String { "entries" }

    public var observedCells: ObservedCells { .cells(rows: rowIndices, columns: columnIndices, scale: scale) }

    /// Nothing but the residual and the gradients: the pass reads the sampled entries in place.
    public func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need] { [] }
}
