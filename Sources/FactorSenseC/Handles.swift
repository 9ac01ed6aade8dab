#if canImport(Glibc)
import Glibc
#endif
import FactorSense
import Synchronization

/// The object behind an opaque C handle, with its per-handle error message.
///
/// The C ABI's rule — one thread per handle at a time — is what makes the unchecked
/// `Sendable` sound: the library never touches a handle's mutable state from two threads
/// unless the caller breaks that rule. (fs_gradient_descent only reads its problem and options.)
class Handle: @unchecked Sendable {
    /// The message of the last failed call, owned here (strdup'ed, freed on replacement).
    private var errorText: UnsafeMutablePointer<CChar>?

    /// What fs_last_error returns: the last message, or "".
    var lastError: UnsafePointer<CChar> { errorText.map { UnsafePointer($0) } ?? StaticText.empty }

    func setError(_ message: String) {
        clearError()
        errorText = strdup(message)
    }

    func clearError() {
        free(errorText)
        errorText = nil
    }

    deinit { free(errorText) }
}

/// The live handles. A handle's pointer value is a token — a counter, never reused — and never
/// an address, so a NULL, freed, foreign or wrong-kind handle is recognised by lookup alone and
/// never dereferenced.
enum Registry {
    private struct Table {
        var handles: [UInt: Handle] = [:]
        var issued: UInt = 0
    }

    private static let table = Mutex(Table())

    /// Registers `handle` and returns its new token.
    static func register(_ handle: Handle) -> OpaquePointer? {
        table.withLock { table in
            table.issued &+= 1
            let token = table.issued &<< 4  // non-zero and aligned, like a real pointer
            table.handles[token] = handle
            return OpaquePointer(bitPattern: token)
        }
    }

    /// The live handle of kind `H` behind `pointer`, or nil.
    static func lookup<H: Handle>(_ pointer: UnsafeRawPointer?, as kind: H.Type) -> H? {
        guard let pointer else { return nil }
        let token = UInt(bitPattern: pointer)
        return table.withLock { $0.handles[token] } as? H
    }

    /// The live handle of kind `H` behind an opaque pointer, or nil.
    static func lookup<H: Handle>(_ pointer: OpaquePointer?, as kind: H.Type) -> H? {
        lookup(UnsafeRawPointer(pointer), as: kind)
    }

    /// Forgets the handle of kind `H` behind `pointer`; other pointers are ignored.
    static func release<H: Handle>(_ pointer: OpaquePointer?, as kind: H.Type) {
        guard let pointer else { return }
        let token = UInt(bitPattern: UnsafeRawPointer(pointer))
        let removed: Handle? = table.withLock { table in
            guard table.handles[token] is H else { return nil }
            return table.handles.removeValue(forKey: token)
        }
        _ = removed  // released outside the lock
    }
}
