import Glibc

/// Threads of the library's own, outside Swift's cooperative thread pool: the trials of a batch,
/// and the computations of the `async` overloads. A run blocks its thread for as long as it
/// computes — seconds to hours — and the cooperative pool has one thread per core, so a run
/// there would starve every other task of the process (on two cores, two runs would stop the
/// pool). Each one gets a new thread instead, and the task that awaits it is suspended, holding
/// no thread at all.
enum DedicatedThread {
    /// Starts `body` on a new thread; nil (and `body` not run) when no thread can be started.
    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(ThreadBody(body))
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, box.toOpaque()) == 0
        guard started else {
            box.release()
            return nil
        }
        return thread
    }

    /// `body`'s value, computed on a new detached thread while the calling task is suspended (on
    /// the calling thread when no thread can be started: correct, only less polite to the pool).
    static func run<R: Sendable>(_ body: @escaping @Sendable () -> R) async -> R {
        await withCheckedContinuation { (continuation: CheckedContinuation<R, Never>) in
            if let thread = start({ continuation.resume(returning: body()) }) {
                pthread_detach(thread)
            } else {
                continuation.resume(returning: body())
            }
        }
    }
}

/// A closure handed to a new thread.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
