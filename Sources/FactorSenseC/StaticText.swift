import CFactorSense
import FactorSense
import Synchronization

/// NUL-terminated C strings that live as long as the process: what the header calls "static
/// text". Each is made once, on first use (Swift initializes static properties exactly once,
/// thread-safely), and never freed.
enum StaticText {
    static func make(_ text: String) -> UnsafePointer<CChar> {
        let bytes = Array(text.utf8CString)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        storage.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(storage)
    }

    nonisolated(unsafe) static let empty = make("")
    nonisolated(unsafe) static let version = make(
        "\(FS_VERSION_MAJOR).\(FS_VERSION_MINOR).\(FS_VERSION_PATCH)")
    nonisolated(unsafe) static let invalidHandle = make(
        "not a live FactorSense handle: NULL, already freed, or never created by this library")
    nonisolated(unsafe) static let unknownStatus = make("unknown status")
    nonisolated(unsafe) static let unknownStopReason = make("unknown stop reason")
    nonisolated(unsafe) static let outOfMemory = make("out of memory while copying the error message")

    /// fs_status_string's texts, indexed by status value.
    nonisolated(unsafe) static let statuses: [UnsafePointer<CChar>] = [
        "ok",
        "a required pointer argument is NULL",
        "invalid handle: NULL, freed, or of another kind",
        "invalid argument",
        "array length does not match the problem",
        "non-finite value (NaN or infinity) in an input",
        "size product overflows",
        "out of memory",
        "call in the wrong state: the handle does not hold what the call needs",
        "a LAPACK routine failed",
        "internal error in FactorSense (please report it)",
        "interrupted by fs_interrupt",
    ].map(make)

    /// fs_stop_reason_string's texts, indexed by stop-reason value.
    nonisolated(unsafe) static let stopReasons: [UnsafePointer<CChar>] =
        (0...8).map { value in
            value == 0 ? make("none") : StopReason(rawValue: value).map { make($0.description) } ?? unknownStopReason
        }

    /// The static text of a name from a fixed vocabulary (operator kinds, option choices,
    /// history columns), or of any other text, interned once (the "diagnostics" option's lists:
    /// at most 2¹² of them).
    static func named(_ name: String) -> UnsafePointer<CChar> {
        if let text = vocabulary[name] { return text }
        return interned.withLock { table in
            if let text = table[name] { return text }
            let text = make(name)
            table[name] = text
            return text
        }
    }

    private static let interned = Mutex<[String: UnsafePointer<CChar>]>([:])

    nonisolated(unsafe) private static let vocabulary: [String: UnsafePointer<CChar>] = Dictionary(
        Set(["dense", "identity", "entries", "rank_one", "other"]
            + GradientDescentOptions.Initialization.allCases.map(\.rawValue)
            + GradientDescentOptions.Preconditioner.allCases.map(\.rawValue)
            + GradientDescentOptions.StepRule.allCases.map(\.rawValue)
            + History.allNames + ["default", "all", "none"]).map { ($0, make($0)) }, uniquingKeysWith: { first, _ in first })
}
