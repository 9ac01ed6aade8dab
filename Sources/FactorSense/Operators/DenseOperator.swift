/// An operator given by its m × (n1·n2) matrix 𝐀, row i = vec(A_i): 𝒜(X) = 𝐀 vec(X) and
/// 𝒜*(ρ) = mat(𝐀ᵀρ). One gradient costs two passes over 𝐀, O(m·n1·n2).
///
/// Holds the user's own dense operator as given, and the built-in Gaussian operator
/// (`gaussian(measurements:rows:columns:seed:)`). 𝐀 is stored in double or single precision
/// (`entries`); either way every product is computed in double precision from the stored
/// entries, so a single-precision operator is exactly the operator of its rounded entries and
/// reads half the bytes a pass.
public struct DenseOperator: MeasurementOperator {
    public let measurementCount: Int
    public let rows: Int
    public let columns: Int
    /// 𝐀, m × (n1·n2), row-major, as stored.
    public private(set) var entries: DenseEntries
    /// Whether every A_i is symmetric (the symmetric Gaussian operator, or the caller's matrix when
    /// each of its rows is an exactly symmetric n × n matrix): 𝒜 sees only sym(X), so a problem of
    /// this operator takes only a symmetric target.
    public private(set) var isSymmetric = false

    /// 𝐀 as doubles (for a single-precision operator, a widened copy).
    public var matrix: [Double] { entries.doubles }

    /// The storage precision of 𝐀.
    public var precision: DenseEntries.Precision { entries.precision }

    /// The operator of the row-major m × (n1·n2) matrix `matrix`.
    ///
    /// - Throws: `.invalidArgument` for a size below 1, `.overflow` when m·n1·n2 overflows or
    ///   a size exceeds BLAS's indices, `.sizeMismatch` when `matrix` has another length,
    ///   `.notFinite` for NaN or infinity in it.
    public init(measurements m: Int, rows n1: Int, columns n2: Int, matrix: [Double]) throws(FactorSenseError) {
        try Self.check(matrix, measurements: m, rows: n1, columns: n2)
        self.init(unchecked: m, n1, n2, .double(matrix), symmetric: Self.everyRowSymmetric(matrix, rows: n1, columns: n2))
    }

    /// The operator of the row-major m × (n1·n2) single-precision matrix `matrix`, stored as given.
    ///
    /// - Throws: as `init(measurements:rows:columns:matrix:)`.
    public init(measurements m: Int, rows n1: Int, columns n2: Int, singlePrecisionMatrix matrix: [Float]) throws(FactorSenseError) {
        try Self.check(matrix, measurements: m, rows: n1, columns: n2)
        self.init(unchecked: m, n1, n2, .single(matrix), symmetric: Self.everyRowSymmetric(matrix, rows: n1, columns: n2))
    }

    /// Whether every row of 𝐀, read as an n × n matrix A_i, equals its transpose exactly (false
    /// for n1 ≠ n2). One pass over 𝐀, stopping at the first asymmetric entry.
    private static func everyRowSymmetric<T: BinaryFloatingPoint>(_ matrix: [T], rows n1: Int, columns n2: Int) -> Bool {
        guard n1 == n2, n1 > 1 else { return false }
        let block = n1 * n1
        return matrix.withUnsafeBufferPointer { a in
            stride(from: 0, to: a.count, by: block).allSatisfy { row in
                (0..<n1).allSatisfy { r in ((r + 1)..<n1).allSatisfy { c in a[row + r * n1 + c] == a[row + c * n1 + r] } }
            }
        }
    }

    /// Checks the sizes, the length m·n1·n2 and that every entry is finite, in blocks between
    /// which the current stop request is checked.
    private static func check<T: BinaryFloatingPoint>(_ matrix: [T], measurements m: Int, rows n1: Int, columns n2: Int) throws(FactorSenseError) {
        let count = try checkedEntryCount(measurements: m, rows: n1, columns: n2)
        guard matrix.count == count else {
            throw FactorSenseError(.sizeMismatch,
                "the operator matrix must have m · n1 · n2 = \(m) · \(n1) · \(n2) = \(count) entries, got \(matrix.count)")
        }
        var start = 0
        while start < count {
            try StopRequest.checkCurrent("checking the operator matrix")
            let end = min(start + StopRequest.checkInterval * 16, count)
            if let bad = matrix[start..<end].firstIndex(where: { !$0.isFinite }) {
                throw FactorSenseError(.notFinite,
                    "the operator matrix has a non-finite entry \(Double(matrix[bad])) at row \(bad / (n1 * n2)), column \(bad % (n1 * n2))")
            }
            start = end
        }
    }

    private init(unchecked m: Int, _ n1: Int, _ n2: Int, _ entries: DenseEntries, symmetric: Bool = false) {
        self.measurementCount = m
        self.rows = n1
        self.columns = n2
        self.entries = entries
        self.isSymmetric = symmetric
    }

    /// This operator in `precision`: itself, or `roundedToSinglePrecision()`.
    public func stored(in precision: DenseEntries.Precision) throws(FactorSenseError) -> DenseOperator {
        precision == .single ? try roundedToSinglePrecision() : self
    }

    /// This operator with its entries rounded to single precision (itself when they already are):
    /// the operator of `Float(a)` for each entry a, rounded to nearest.
    ///
    /// - Throws: `.notFinite` when an entry overflows single precision (|a| > 3.4·10³⁸);
    ///   `.interrupted` when the current stop request is made meanwhile.
    public func roundedToSinglePrecision() throws(FactorSenseError) -> DenseOperator {
        guard case .double(let values) = entries else { return self }
        var rounded = [Float]()
        rounded.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            if index % (StopRequest.checkInterval * 16) == 0 { try StopRequest.checkCurrent("rounding the operator to single precision") }
            let single = Float(value)
            guard single.isFinite else {
                throw FactorSenseError(.notFinite,
                    "the operator matrix entry \(value) at row \(index / (rows * columns)) overflows single precision")
            }
            rounded.append(single)
        }
        return DenseOperator(unchecked: measurementCount, rows, columns, .single(rounded), symmetric: isSymmetric)
    }

    /// The Gaussian operator of docs/mathematics.md: (𝒜X)_i = ⟨G_i, X⟩/√m with G_i iid N(0, 1), drawn row
    /// by row from the `.sensingOperator` stream of `seed`. E‖𝒜X‖² = ‖X‖²_F.
    ///
    /// - Throws: as `checkedEntryCount`, and `.interrupted` when the current `StopRequest` is
    ///   made during the m·n1·n2 draws.
    public static func gaussian(measurements m: Int, rows n1: Int, columns n2: Int, seed: UInt64) throws(FactorSenseError) -> DenseOperator {
        DenseOperator(unchecked: m, n1, n2, .double(try drawnMatrix(measurements: m, rows: n1, columns: n2, seed: seed)))
    }

    /// The m·n1·n2 entries G_i/√m of the Gaussian operator, row by row.
    private static func drawnMatrix(measurements m: Int, rows n1: Int, columns n2: Int, seed: UInt64) throws(FactorSenseError) -> [Double] {
        let count = try checkedEntryCount(measurements: m, rows: n1, columns: n2)
        var sampler = GaussianSampler(seed: seed, stream: .sensingOperator)
        return try sampler.stoppableValues(count, standardDeviation: 1 / Double(m).squareRoot())
    }

    /// The symmetric Gaussian operator of docs/mathematics.md (n1 = n2 = n):
    /// (𝒜X)_i = ⟨(G_i + G_iᵀ)/2, X⟩/√m with G_i iid N(0, 1), drawn row by row from the
    /// `.sensingOperator` stream of `seed`. E‖𝒜X‖² = ‖X‖²_F for symmetric X; it sees only
    /// sym(X) = (X + Xᵀ)/2, so its problems take only symmetric targets (`isSymmetric`).
    public static func symmetricGaussian(measurements m: Int, size n: Int, seed: UInt64) throws(FactorSenseError) -> DenseOperator {
        var matrix = try drawnMatrix(measurements: m, rows: n, columns: n, seed: seed)
        let block = n * n
        let stop = StopRequest.current
        matrix.withUnsafeMutableBufferPointer { a in
            for i in 0..<m where stop?.isRequested != true {
                let row = i * block
                for r in 0..<n {
                    for c in (r + 1)..<n {
                        let mean = 0.5 * (a[row + r * n + c] + a[row + c * n + r])
                        a[row + r * n + c] = mean
                        a[row + c * n + r] = mean
                    }
                }
            }
        }
        try StopRequest.checkCurrent("generating the symmetric Gaussian operator")
        return DenseOperator(unchecked: m, n, n, .double(matrix), symmetric: true)
    }

    /// The rows `indices` of 𝐀.
    public func restricted(to indices: [Int]) -> any MeasurementOperator {
        guard validIndices(indices) else { return restricted(to: []) }
        return DenseOperator(unchecked: indices.count, rows, columns, entries.rows(indices, width: rows * columns),
                             symmetric: isSymmetric)
    }

    /// m·n1·n2 after checking every size is at least 1, fits BLAS, and the product fits memory:
    /// the check to make before allocating a dense operator.
    public static func checkedEntryCount(measurements m: Int, rows n1: Int, columns n2: Int) throws(FactorSenseError) -> Int {
        for (value, name) in [(m, "measurements m"), (n1, "rows n1"), (n2, "columns n2")] {
            guard value >= 1 else { throw FactorSenseError(.invalidArgument, "\(name) must be ≥ 1, got \(value)") }
        }
        let vecLength = try SizeLimits.product(n1, n2, "n1 · n2")
        try SizeLimits.checkDimension(vecLength, "n1 · n2")
        try SizeLimits.checkDimension(m, "measurements m")
        let count = try SizeLimits.product(m, vecLength, "m · n1 · n2")
        try SizeLimits.checkAllocation(doubles: count, "the dense operator (m · n1 · n2 entries)")
        return count
    }

    /// 𝒜(X) = 𝐀 vec(X).
    public func apply(_ x: Matrix) -> [Double] {
        guard fits(x) else { return notMeasurable() }
        return DenseKernels.product(entries, rows: measurementCount, columns: rows * columns, x.elements)
    }

    /// 𝒜*(ρ) = mat(𝐀ᵀρ).
    public func adjoint(_ residual: [Double]) -> Matrix {
        guard residual.count == measurementCount else { return notAdjointable() }
        var g = Matrix(rows: rows, columns: columns)
        g.elements = DenseKernels.transposedProduct(entries, rows: measurementCount, columns: rows * columns, residual)
        return g
    }

    /// One pass over 𝐀 for ρ = 𝐀 vec(UVᵀ) − y and G = mat(𝐀ᵀρ) (`DenseKernels.residualAndAdjoint`),
    /// then G V and Gᵀ U.
    public func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let x = BLAS.product(U, V, transposeB: true)
        let (residual, adjoint) = DenseKernels.residualAndAdjoint(entries, rows: measurementCount, columns: rows * columns, x.elements, y)
        return factorGradient(residual: residual, adjoint: adjoint, U: U, V: V)
    }

    /// ρ with ∇_U = G V and ∇_V = Gᵀ U for G = mat(𝐀ᵀρ) given as `adjoint`.
    func factorGradient(residual: [Double], adjoint: [Double], U: Matrix, V: Matrix) -> FactorGradient {
        var g = Matrix(rows: rows, columns: columns)
        g.elements = adjoint
        return FactorGradient(residual: residual, gradientU: BLAS.product(g, V), gradientV: BLAS.product(g, transposeA: true, U))
    }
}

extension DenseOperator {
    public var kindName: String { "dense" }

    public var denseEntries: DenseEntries? { entries }

    /// The restriction's rows of 𝐀 (count · n1 · n2).
    public func restrictionNeeds(measurements count: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("operator rows (\(count) · n1 · n2)", count, rows, columns)
        return ledger.needs
    }

    /// UVᵀ, 𝒜*(ρ), its sum and the zeroed adjoint, and the dense kernels' per-chunk partial sums.
    public func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("UVᵀ, 𝒜*(ρ), its sum and the zeroed adjoint (3 n1 · n2)", 3, rows, columns)
        try ledger.doubles("the dense kernels' per-chunk partial sums (\(FixedChunks.count) n1 · n2)", FixedChunks.count, rows, columns)
        return ledger.needs
    }

    /// The dense kernels' per-chunk partial sums.
    public func adjointNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("the dense kernels' per-chunk partial sums (\(FixedChunks.count) n1 · n2)", FixedChunks.count, rows, columns)
        return ledger.needs
    }
}
