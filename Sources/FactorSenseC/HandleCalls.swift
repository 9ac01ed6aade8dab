import CFactorSense
import FactorSense

// How every exported call reaches its handle: looked up, locked, its message cleared, and a
// thrown error turned into the call's status and message (`FactorSenseError.Kind.status`).

/// Runs `body` on the live handle of kind `H` behind `pointer`, holding the handle's lock: clears
/// the handle's message, and turns a thrown error into its status and message. An invalid handle
/// gives FS_ERROR_INVALID_HANDLE without running `body`.
func withHandle<H: Handle>(
    _ pointer: OpaquePointer?, as kind: H.Type,
    _ body: (H) throws(FactorSenseError) -> Void
) -> fs_status {
    guard let handle = Registry.lookup(pointer, as: kind) else { return FS_ERROR_INVALID_HANDLE }
    do throws(FactorSenseError) {
        return try handle.exclusively { () throws(FactorSenseError) -> fs_status in
            handle.clearError()
            do throws(FactorSenseError) {
                // A call made from a progress callback must not see the run's stop request: only
                // the long calls watch one, their handle's (`watchingStops`).
                try StopRequest.ignoring { () throws(FactorSenseError) in try body(handle) }
                return FS_OK
            } catch {
                handle.setError(error.message)
                return error.kind.status
            }
        }
    } catch {
        // Only a re-entrant call gets here; this thread holds the lock, so the message is safe to set.
        handle.setError(error.message)
        return error.kind.status
    }
}

/// Creates a handle of kind `H`, storing its token in `*out` (NULL on failure).
func createHandle<H: Handle>(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ make: () -> H) -> fs_status {
    guard let out else { return FS_ERROR_NULL_POINTER }
    out.pointee = Registry.register(make())
    return FS_OK
}
