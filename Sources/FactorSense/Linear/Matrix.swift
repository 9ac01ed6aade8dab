/// A dense real matrix in row-major order: element (i, j) is `elements[i * columns + j]`, so
/// `elements` is vec(X), the rows of X stacked (docs/mathematics.md's convention).
///
/// The public initializer checks its sizes and throws; the library's own constructors, subscripts
/// and shape operations are internal: they take sizes the library has already checked, and are
/// unchecked by contract.
public struct Matrix: Equatable, Sendable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The entries, row after row; `elements.count == rows * columns`.
    public internal(set) var elements: [Double]

    /// A `rows × columns` matrix with every entry `value` (internal: sizes ≥ 0 whose product
    /// fits, checked by the caller).
    init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = rows
        self.columns = columns
        self.elements = [Double](repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix over the row-major `elements`.
    ///
    /// - Throws: `.sizeMismatch` unless `elements.count == rows * columns`.
    public init(rows: Int, columns: Int, elements: [Double]) throws(FactorSenseError) {
        guard rows >= 0, columns >= 0,
              case let (count, overflow) = rows.multipliedReportingOverflow(by: columns), !overflow,
              elements.count == count
        else {
            throw FactorSenseError(.sizeMismatch,
                "a \(rows) × \(columns) matrix needs \(rows) · \(columns) entries, got \(elements.count)")
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// Entry (i, j) (internal, unchecked: 0 ≤ i < rows, 0 ≤ j < columns).
    subscript(row: Int, column: Int) -> Double {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// Xᵀ.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns {
                result.elements[j * rows + i] = elements[i * columns + j]
            }
        }
        return result
    }

    /// [X, Y]: the columns of X, then those of Y (internal: the same number of rows).
    func joiningColumns(_ other: Matrix) -> Matrix {
        var result = Matrix(rows: rows, columns: columns + other.columns)
        for i in 0..<rows {
            for j in 0..<columns { result[i, j] = self[i, j] }
            for j in 0..<other.columns { result[i, columns + j] = other[i, j] }
        }
        return result
    }

    /// The matrix of rows `indices` of X, in that order (internal: indices in 0..<rows).
    func selectingRows(_ indices: [Int]) -> Matrix {
        var result = Matrix(rows: indices.count, columns: columns)
        for (r, i) in indices.enumerated() {
            for j in 0..<columns { result.elements[r * columns + j] = elements[i * columns + j] }
        }
        return result
    }

    /// X ← c·X.
    public mutating func scale(by c: Double) {
        if c != 1 { for i in elements.indices { elements[i] *= c } }
    }

    /// Replaces a square X by (X + Xᵀ)/2, removing rounding asymmetry (internal: X square).
    mutating func symmetrize() {
        for i in 0..<rows {
            for j in (i + 1)..<max(i + 1, columns) {
                let mean = 0.5 * (self[i, j] + self[j, i])
                self[i, j] = mean
                self[j, i] = mean
            }
        }
    }

    /// ‖X‖_F = √(Σ x_ij²).
    public var frobeniusNorm: Double { BLAS.norm(elements) }

    /// Whether every entry is finite: Σ 0·x_ij is 0 exactly when no entry is NaN or ±∞ (four
    /// running sums, so the loop is not bound by one addition's latency; the solvers ask it of
    /// U and V after every step).
    public var isFinite: Bool {
        elements.withUnsafeBufferPointer { p in
            var sums = (0.0, 0.0, 0.0, 0.0)
            var i = 0
            while i + 4 <= p.count {
                sums.0 += 0 * p[i]
                sums.1 += 0 * p[i + 1]
                sums.2 += 0 * p[i + 2]
                sums.3 += 0 * p[i + 3]
                i += 4
            }
            while i < p.count {
                sums.0 += 0 * p[i]
                i += 1
            }
            return sums.0 + sums.1 + sums.2 + sums.3 == 0
        }
    }
}
