#if canImport(Glibc)
import Glibc
#endif
import FactorSense
import Synchronization

/// The object behind an opaque C handle, with its lock, its per-handle error message and its
/// stop request.
///
/// The C ABI asks for one thread per handle at a time, but a caller that breaks the rule must
/// not corrupt memory: every call runs under the handle's `lock` (`exclusively`), so a second
/// thread waits, and `fs_last_error` hands each thread its own copy of the message. That lock is
/// what makes the unchecked `Sendable` sound. `stopRequest` is atomic and needs no lock, so
/// fs_interrupt never waits for the call it interrupts.
class Handle: @unchecked Sendable {
    /// The message of the last failed call (strdup'ed, freed on replacement); under `lock`.
    private var errorText: UnsafeMutablePointer<CChar>?
    /// The copy of the message each thread last received from fs_last_error, by thread; under
    /// `lock`. A copy is freed only by its own thread's next fs_last_error, or with the handle.
    private var handedOut: [UInt: UnsafeMutablePointer<CChar>] = [:]
    private let lock = HandleLock()
    /// Set by fs_interrupt; watched by the long calls on this handle.
    let stopRequest = StopRequest()

    /// Runs `body` holding the handle's lock. A call made while the same thread already holds it
    /// (from a progress callback of a call on this handle) cannot wait for itself: it gets
    /// `.wrongState` instead.
    func exclusively<R>(_ body: () throws(FactorSenseError) -> R) throws(FactorSenseError) -> R {
        guard lock.lock() else {
            throw FactorSenseError(.wrongState,
                "this handle is held by a call running on this thread (called from its progress callback?): only fs_interrupt may be called on it now")
        }
        defer { lock.unlock() }
        return try body()
    }

    /// Takes the handle's lock for a call that holds several handles at once (a batch), which
    /// takes them in a fixed order; false when this thread holds it already.
    func acquire() -> Bool { lock.lock() }

    /// Releases what `acquire` took.
    func release() { lock.unlock() }

    /// What fs_last_error returns: this thread's copy of the last message, or "".
    var lastError: UnsafePointer<CChar> {
        let owned = lock.lock()  // false: this thread holds it already (a callback), which is as safe
        defer { if owned { lock.unlock() } }
        guard let errorText else { return StaticText.empty }
        let thread = UInt(pthread_self())
        if let copy = handedOut[thread], strcmp(copy, errorText) == 0 { return UnsafePointer(copy) }
        guard let copy = strdup(errorText) else { return StaticText.outOfMemory }
        free(handedOut[thread])
        handedOut[thread] = copy
        return UnsafePointer(copy)
    }

    /// Replaces the message; call holding the lock (inside `exclusively`).
    func setError(_ message: String) {
        clearError()
        errorText = strdup(message)
    }

    /// Clears the message; call holding the lock (inside `exclusively`).
    func clearError() {
        free(errorText)
        errorText = nil
    }

    deinit {
        free(errorText)
        for copy in handedOut.values { free(copy) }
    }
}

/// A mutex that reports, rather than deadlocks on, a second lock by the thread that holds it
/// (a POSIX error-checking mutex).
final class HandleLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    /// Waits for the lock and takes it; false (without waiting) when this thread holds it already.
    func lock() -> Bool {
        pthread_mutex_lock(mutex) == 0
    }

    func unlock() {
        pthread_mutex_unlock(mutex)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
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
