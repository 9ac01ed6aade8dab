import FactorSense

/// Reading and writing the caller's arrays, after checking the pointer and that the length the
/// caller gives is exactly the length the call needs. Nothing is read or written before every
/// check of a call has passed.
enum Buffers {
    /// Checks that `length` (the caller's) equals `expected`.
    static func checkLength(_ length: Int64, expected: Int, _ name: String) throws(FactorSenseError) {
        guard length == Int64(expected) else {
            throw FactorSenseError(.sizeMismatch, "\(name) must have length \(expected), got \(length)")
        }
    }

    /// Checks a pointer argument is not NULL.
    static func checkNotNull<T>(_ pointer: T?, _ name: String) throws(FactorSenseError) {
        guard pointer != nil else { throw FactorSenseError(.nullPointer, "\(name) is NULL") }
    }

    /// A copy of the caller's `length` doubles at `pointer`, which must be `expected` long.
    static func read<T>(_ pointer: UnsafePointer<T>?, length: Int64, expected: Int, _ name: String) throws(FactorSenseError) -> [T] {
        guard let pointer else { throw FactorSenseError(.nullPointer, "\(name) is NULL") }
        try checkLength(length, expected: expected, name)
        return try copy(UnsafeBufferPointer(start: pointer, count: expected), name) { $0 }
    }

    /// `transform` of every element of `source`, copied in blocks between which the current stop
    /// request (fs_interrupt) is checked: a copy of gigabytes stops within milliseconds.
    static func copy<T, U>(_ source: UnsafeBufferPointer<T>, _ name: String, _ transform: (T) -> U) throws(FactorSenseError) -> [U] {
        let block = 1 << 20
        var copy = [U]()
        copy.reserveCapacity(source.count)
        var start = 0
        while start < source.count {
            try StopRequest.checkCurrent("reading \(name)")
            let end = min(start + block, source.count)
            copy.append(contentsOf: source[start..<end].lazy.map(transform))
            start = end
        }
        return copy
    }

    /// A copy of a caller's row-major matrix.
    static func readMatrix(_ pointer: UnsafePointer<Double>?, length: Int64, rows: Int, columns: Int, _ name: String) throws(FactorSenseError) -> Matrix {
        let count = try SizeLimits.product(rows, columns, "the entries of \(name)")
        return try Matrix(rows: rows, columns: columns, elements: read(pointer, length: length, expected: count, name))
    }

    /// Checks that `count` values fit the caller's output array exactly.
    static func checkOutput(_ pointer: UnsafeMutablePointer<Double>?, length: Int64, count: Int, _ name: String) throws(FactorSenseError) {
        try checkNotNull(pointer, name)
        try checkLength(length, expected: count, name)
    }

    /// Checks that `values` fit the caller's output array exactly.
    static func checkOutput(_ pointer: UnsafeMutablePointer<Double>?, length: Int64, for values: [Double], _ name: String) throws(FactorSenseError) {
        try checkOutput(pointer, length: length, count: values.count, name)
    }

    /// Checks every value is finite.
    static func finite(_ values: [Double], _ name: String) throws(FactorSenseError) {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw FactorSenseError(.notFinite, "\(name) has a non-finite entry \(values[bad]) at index \(bad)")
        }
    }

    /// A copy of the caller's `length` int64 indices, which must be `expected` long.
    static func readIndices(_ pointer: UnsafePointer<Int64>?, length: Int64, expected: Int, _ name: String) throws(FactorSenseError) -> [Int] {
        guard let pointer else { throw FactorSenseError(.nullPointer, "\(name) is NULL") }
        try checkLength(length, expected: expected, name)
        return try copy(UnsafeBufferPointer(start: pointer, count: expected), name) { Int($0) }
    }

    /// Copies `values` to the caller's array; call only after `checkOutput` passed.
    static func write(_ values: [Double], to pointer: UnsafeMutablePointer<Double>?) {
        guard let pointer else { return }
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: source.count) }
        }
    }

    /// Checks the output array and copies `values` to it.
    static func copy(_ values: [Double], to pointer: UnsafeMutablePointer<Double>?, length: Int64, _ name: String) throws(FactorSenseError) {
        try checkOutput(pointer, length: length, for: values, name)
        write(values, to: pointer)
    }

    /// A size argument as an Int, at least `minimum`.
    static func size(_ value: Int64, atLeast minimum: Int, _ name: String) throws(FactorSenseError) -> Int {
        guard value >= Int64(minimum) else {
            throw FactorSenseError(.invalidArgument, "\(name) must be ≥ \(minimum), got \(value)")
        }
        return Int(value)
    }

    /// A C string argument as a Swift string.
    static func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(FactorSenseError) -> String {
        guard let pointer else { throw FactorSenseError(.nullPointer, "\(name) is NULL") }
        return String(cString: pointer)
    }
}
