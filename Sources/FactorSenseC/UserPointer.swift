/// A C caller's `user` pointer, which the library never reads: it only hands it back to the
/// caller's own callbacks (progress, perturbation), on the thread of the run those callbacks
/// observe. Whatever it points to is the caller's to synchronize, as the header says, so it may
/// be captured by the core's `@Sendable` callbacks.
struct UserPointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer?

    init(_ raw: UnsafeMutableRawPointer?) { self.raw = raw }
}
