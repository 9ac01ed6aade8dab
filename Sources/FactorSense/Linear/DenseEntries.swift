/// The entries of a dense row-major matrix, stored in double or in single precision.
///
/// Single precision halves the memory and the bytes a pass over the matrix reads; the kernels
/// widen each float to double exactly before using it (`DenseKernels`), so a `.single` matrix
/// computes exactly what the `.double` matrix of the same rounded entries computes.
public enum DenseEntries: Sendable, Equatable {
    /// IEEE binary64 entries.
    case double([Double])
    /// IEEE binary32 entries.
    case single([Float])

    /// The storage precision of the entries.
    public var precision: Precision {
        switch self {
        case .double: .double
        case .single: .single
        }
    }

    /// The number of entries.
    public var count: Int {
        switch self {
        case .double(let values): values.count
        case .single(let values): values.count
        }
    }

    /// The entries as doubles (exact for single-precision entries).
    public var doubles: [Double] {
        switch self {
        case .double(let values): values
        case .single(let values): values.map(Double.init)
        }
    }

    /// Rows `indices` (in that order) of the row-major matrix with rows of `width` entries, in
    /// the same precision.
    func rows(_ indices: [Int], width: Int) -> DenseEntries {
        switch self {
        case .double(let values): .double(Self.gather(values, indices, width))
        case .single(let values): .single(Self.gather(values, indices, width))
        }
    }

    private static func gather<T>(_ values: [T], _ indices: [Int], _ width: Int) -> [T] {
        var rows = [T]()
        rows.reserveCapacity(indices.count * width)
        for i in indices { rows.append(contentsOf: values[(i * width)..<((i + 1) * width)]) }
        return rows
    }

    /// Calls `body` with a pointer to the first entry (nil when there are none) and the
    /// precision, for the kernels.
    func withUnsafeEntries<R>(_ body: (UnsafeRawPointer?, Precision) -> R) -> R {
        switch self {
        case .double(let values): values.withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress), .double) }
        case .single(let values): values.withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress), .single) }
        }
    }

    /// The storage precision of a dense operator's matrix.
    public enum Precision: String, Sendable, CaseIterable {
        /// 8 bytes an entry ("float64").
        case double = "float64"
        /// 4 bytes an entry ("float32").
        case single = "float32"

        /// Bytes an entry.
        public var byteCount: Int { self == .double ? 8 : 4 }
    }
}
