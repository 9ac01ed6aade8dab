#if canImport(Glibc)
import Glibc
#endif

/// Checks on sizes that a caller passes in, done before anything is allocated: products that
/// overflow, dimensions beyond BLAS's 32-bit indices, and allocations beyond the memory this
/// process can still get (`MemoryBudget`). A failed allocation would end the caller's process; a thrown error does not.
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

    /// Checks that `count` doubles, allocated alone, fit in what this process can still get
    /// (`MemoryBudget`). Calls that hold several buffers at once list them all with
    /// `MemoryBudget.require` instead.
    public static func checkAllocation(doubles count: Int, _ what: String) throws(FactorSenseError) {
        try MemoryBudget.require([MemoryBudget.doubles(count, what)], for: what)
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
