#if canImport(Glibc)
import Glibc
#endif

/// Checks on sizes that a caller passes in, done before anything is allocated: products that
/// overflow, dimensions beyond BLAS's 32-bit indices, and allocations beyond this machine's
/// memory. A failed allocation would end the caller's process; a thrown error does not.
public enum SizeLimits {
    /// The largest dimension BLAS and LAPACK index here (32-bit integers).
    public static let largestDimension = Int(Int32.max)

    /// a · b, or `.overflow` naming `what`.
    public static func product(_ a: Int, _ b: Int, _ what: String) throws(FactorSenseError) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else {
            throw FactorSenseError(.overflow, "\(what) = \(a) · \(b) overflows a 64-bit integer")
        }
        return value
    }

    /// Checks that `value`, a dimension passed to BLAS, fits its 32-bit indices.
    public static func checkDimension(_ value: Int, _ what: String) throws(FactorSenseError) {
        guard value <= largestDimension else {
            throw FactorSenseError(.overflow,
                "\(what) = \(value) exceeds \(largestDimension), the largest size BLAS indexes here")
        }
    }

    /// Checks that `count` doubles fit in this machine's physical memory.
    public static func checkAllocation(doubles count: Int, _ what: String) throws(FactorSenseError) {
        let bytes = try product(count, MemoryLayout<Double>.stride, "the bytes of \(what)")
        let available = physicalMemory
        guard bytes <= available else {
            throw FactorSenseError(.outOfMemory,
                "\(what) needs \(bytes) bytes, more than this machine's \(available) bytes of memory")
        }
    }

    /// The machine's physical memory in bytes (Int.max where it cannot be read).
    public static var physicalMemory: Int {
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return Int.max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int.max : bytes
        #else
        return Int.max
        #endif
    }
}
