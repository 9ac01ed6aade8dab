#if canImport(Glibc)
import Glibc
#endif

/// Memory counted before it is used: every call that allocates in proportion to sizes a caller
/// chose first lists what it will hold at its peak — all its buffers together, temporaries
/// included — and `require` compares the sum with what this process can actually still get:
///
///     available = min( physical memory,
///                      MemAvailable                       (/proc/meminfo),
///                      RLIMIT_AS − current address space  (/proc/self/statm),
///                      cgroup limit − cgroup usage         (v2 memory.max − memory.current,
///                                                           v1 memory.limit_in_bytes − memory.usage_in_bytes,
///                                                           the smallest over the cgroup and its ancestors) ).
///
/// A failed allocation in Swift ends the whole process (the caller's Python interpreter or C
/// program); a refusal here is an `.outOfMemory` error whose message names every buffer and its
/// size, and nothing has been allocated.
///
/// The counts are of the library's own buffers (doubles and indices); each call's list is in
/// `PeakMemory`. A margin of `margin` bytes plus 1/16 of the request is kept free for what a
/// list does not itemize (thread stacks, small arrays, allocator rounding).
public enum MemoryBudget {
    /// One buffer of a call's peak: what it is and its size in bytes.
    public struct Need: Sendable, Equatable, CustomStringConvertible {
        public let what: String
        public let bytes: Int

        public init(_ what: String, bytes: Int) {
            self.what = what
            self.bytes = bytes
        }

        public var description: String { "\(what) \(MemoryBudget.format(bytes))" }
    }

    /// What the process can still allocate, and which limit is the smallest.
    public struct Availability: Sendable, Equatable {
        public let bytes: Int
        public let limitedBy: String
    }

    /// Requests below this size are not compared with the system's limits (reading them costs
    /// a few system calls; a call that small cannot be told apart from the caller's own use).
    public static let smallRequest = 1 << 20
    /// Bytes kept free beyond every request.
    public static let margin = 32 << 20

    /// `count` doubles (8 bytes each), or `.overflow` naming `what`.
    public static func doubles(_ count: Int, _ what: String) throws(FactorSenseError) -> Need {
        try elements(count, of: MemoryLayout<Double>.stride, what)
    }

    /// `count` Swift `Int` indices (8 bytes each), or `.overflow` naming `what`.
    public static func indices(_ count: Int, _ what: String) throws(FactorSenseError) -> Need {
        try elements(count, of: MemoryLayout<Int>.stride, what)
    }

    /// `count` elements of `size` bytes.
    public static func elements(_ count: Int, of size: Int, _ what: String) throws(FactorSenseError) -> Need {
        guard count >= 0 else { throw FactorSenseError(.invalidArgument, "\(what) has a negative size \(count)") }
        return Need(what, bytes: try SizeLimits.product(count, size, "the bytes of \(what)"))
    }

    /// The total of `needs`, or `.overflow`.
    public static func total(_ needs: [Need]) throws(FactorSenseError) -> Int {
        var sum = 0
        for need in needs {
            let (next, overflow) = sum.addingReportingOverflow(need.bytes)
            guard !overflow else {
                throw FactorSenseError(.overflow, "the memory of \(describe(needs)) overflows a 64-bit byte count")
            }
            sum = next
        }
        return sum
    }

    /// Checks that `needs`, held together at the peak of `call`, fit in what is available;
    /// `.outOfMemory` naming every buffer and the limit otherwise.
    public static func require(_ needs: [Need], for call: String) throws(FactorSenseError) {
        let sum = try total(needs)
        guard sum >= smallRequest else { return }
        let asked = sum.addingReportingOverflow(sum / 16 + margin)
        let available = self.available()
        guard !asked.overflow, asked.partialValue <= available.bytes else {
            throw FactorSenseError(.outOfMemory,
                "\(call) needs \(format(sum)) at its peak (\(describe(needs))), more than the \(format(available.bytes)) "
                + "this process can still allocate (\(available.limitedBy)); nothing was allocated")
        }
    }

    /// The smallest of the limits of the type's documentation.
    public static func available() -> Availability {
        var best = Availability(bytes: SizeLimits.physicalMemory, limitedBy: "physical memory")
        func consider(_ bytes: Int?, _ name: String) {
            if let bytes, bytes < best.bytes { best = Availability(bytes: max(bytes, 0), limitedBy: name) }
        }
        consider(memAvailable(), "MemAvailable in /proc/meminfo")
        consider(addressSpaceLeft(), "the address-space limit RLIMIT_AS (ulimit -v) less the address space in use")
        consider(cgroupLeft(), "the cgroup memory limit less the cgroup's usage")
        return best
    }

    /// "1.50 GB (1500000000 bytes)" style text.
    public static func format(_ bytes: Int) -> String {
        let gb = Double(bytes) / 1e9
        if bytes >= 100_000_000 { return "\(rounded(gb)) GB (\(bytes) bytes)" }
        return "\(bytes) bytes"
    }

    /// How many kinds of buffer a message names; the rest are summed into one item.
    static let namedKinds = 12

    /// The buffers of `needs` for a message: those of one name (as every trial of a batch
    /// has) as one item, "16 × the residual (m) 7200 bytes", the `namedKinds` largest by
    /// their total in the order they were listed, and the others as "N smaller buffers …".
    static func describe(_ needs: [Need]) -> String {
        var kinds: [(what: String, count: Int, bytes: Int)] = []
        var position: [String: Int] = [:]
        for need in needs where need.bytes > 0 {
            if let at = position[need.what] {
                kinds[at].count += 1
            } else {
                position[need.what] = kinds.count
                kinds.append((need.what, 1, need.bytes))
            }
        }
        func total(_ kind: (what: String, count: Int, bytes: Int)) -> Int {
            kind.bytes.multipliedReportingOverflow(by: kind.count).overflow ? Int.max : kind.bytes * kind.count
        }
        let largest = Set(kinds.indices.sorted { total(kinds[$0]) > total(kinds[$1]) }.prefix(namedKinds))
        var items: [String] = []
        var others = (count: 0, bytes: 0)
        for (index, kind) in kinds.enumerated() {
            if largest.contains(index) {
                items.append(kind.count == 1 ? "\(kind.what) \(format(kind.bytes))" : "\(kind.count) × \(kind.what) \(format(kind.bytes)) each")
            } else {
                others.count += kind.count
                let (sum, overflow) = others.bytes.addingReportingOverflow(total(kind))
                others.bytes = overflow ? Int.max : sum
            }
        }
        if others.count > 0 { items.append("\(others.count) smaller buffers \(format(others.bytes)) in all") }
        return items.joined(separator: ", ")
    }

    private static func rounded(_ x: Double) -> String {
        let hundredths = (x * 100).rounded()
        let whole = Int(hundredths / 100)
        let fraction = Int(hundredths) - whole * 100
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    // ---------------------------------------------------------------- the system's limits

    /// MemAvailable of /proc/meminfo, in bytes.
    static func memAvailable() -> Int? {
        guard let text = readFile("/proc/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
            return kb.multipliedReportingOverflow(by: 1024).overflow ? nil : kb * 1024
        }
        return nil
    }

    /// Address space a call can take beyond its buffers under RLIMIT_AS: each thread that
    /// allocates (the caller's, a Python worker, the dense kernels' chunks) may get a glibc malloc
    /// arena, which reserves 64 MB of address space, and a new thread's stack reserves 8 MB.
    static var addressSpaceReserve: Int {
        reservedThreads * (72 << 20)
    }

    /// The threads `addressSpaceReserve` makes room for: one a core, and two more.
    static var reservedThreads: Int { ProcessInfoLite.activeProcessorCount + 2 }

    /// RLIMIT_AS less the current virtual size (the first field of /proc/self/statm, in pages)
    /// and `addressSpaceReserve`; nil without a limit.
    static func addressSpaceLeft() -> Int? {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        let cap = limit.rlim_cur > UInt(Int.max) ? Int.max : Int(limit.rlim_cur)
        guard let statm = readFile("/proc/self/statm"), let first = statm.split(separator: " ").first,
              let pages = Int(first) else { return cap }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        let (used, overflow) = pages.multipliedReportingOverflow(by: max(pageSize, 1))
        return overflow ? 0 : cap - used - addressSpaceReserve
        #else
        return nil
        #endif
    }

    /// The smallest of limit − usage over this process's memory cgroup and its ancestors, for
    /// cgroup v2 (memory.max, memory.current) and v1 (memory.limit_in_bytes,
    /// memory.usage_in_bytes); nil when no limit is set or none can be read.
    static func cgroupLeft() -> Int? {
        guard let membership = readFile("/proc/self/cgroup") else { return nil }
        var best: Int?
        func consider(_ directory: String, limit: String, usage: String) {
            guard let limitText = readFile(directory + "/" + limit),
                  let limitBytes = Int(limitText.filter { !$0.isWhitespace }),  // "max" (no limit) fails here
                  limitBytes < Int.max / 2
            else { return }
            let used = readFile(directory + "/" + usage).flatMap { Int($0.filter { !$0.isWhitespace }) } ?? 0
            let left = limitBytes - used
            best = min(best ?? left, left)
        }
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = String(parts[2])
            if parts[0] == "0" && parts[1].isEmpty {
                for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
                    for directory in ancestors(of: path, under: root) {
                        consider(directory, limit: "memory.max", usage: "memory.current")
                    }
                }
            } else if parts[1].split(separator: ",").contains("memory") {
                for directory in ancestors(of: path, under: "/sys/fs/cgroup/memory") {
                    consider(directory, limit: "memory.limit_in_bytes", usage: "memory.usage_in_bytes")
                }
            }
        }
        return best
    }

    /// root/a/b/c, root/a/b, root/a, root for the cgroup path /a/b/c.
    static func ancestors(of path: String, under root: String) -> [String] {
        var components = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(([root] + components).joined(separator: "/"))
            guard !components.isEmpty else { return result }
            components.removeLast()
        }
    }

    /// The text of a small file (at most 64 kB), or nil.
    static func readFile(_ path: String) -> String? {
        #if canImport(Glibc)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }
}

/// The number of processors online, without Foundation.
enum ProcessInfoLite {
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        #else
        return 1
        #endif
    }
}
