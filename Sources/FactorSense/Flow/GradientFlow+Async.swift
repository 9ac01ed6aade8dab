/// The `async` forms of the gradient flow: the same integration, bit for bit, on a thread of its
/// own while the calling task is suspended, with the task's cancellation mapped to a stop
/// request (`StopRequest.cancelling(_:_:)`).
extension GradientFlow {
    /// `run(_:options:settings:progress:stop:)` as an `async` call. Cancelling the task stops the
    /// integration as a stop request does: it ends with `StopReason.interrupted` at the last
    /// recorded row (or throws `.interrupted` before the first). `stop` (or the current
    /// `StopRequest`) stops it too; cancellation leaves `stop` itself unmade. `progress` and a
    /// custom perturbation are called on the integration's thread.
    ///
    /// - Throws: what `run(_:options:settings:progress:stop:)` throws.
    public static func run(_ problem: SensingProblem, options: GradientDescentOptions, settings: Settings,
                           progress: GradientDescent.ProgressHandler? = nil,
                           stop: StopRequest? = nil) async throws(FactorSenseError) -> GradientDescentResult {
        let request = StopRequest(following: stop ?? StopRequest.current)
        return try await StopRequest.cancelling([request]) { () throws(FactorSenseError) in
            try run(problem, options: options, settings: settings, progress: progress, stop: request)
        }
    }

    /// `run(_:options:settings:progress:stop:) async` with the snapshot of every recorded row
    /// yielded, in order, to `snapshots` (the continuation of an `AsyncStream`), which is finished
    /// when the integration ends, whether it returns or throws.
    ///
    /// - Throws: what `run(_:options:settings:progress:stop:)` throws.
    public static func run(_ problem: SensingProblem, options: GradientDescentOptions, settings: Settings,
                           snapshots: AsyncStream<Snapshot>.Continuation,
                           stop: StopRequest? = nil) async throws(FactorSenseError) -> GradientDescentResult {
        defer { snapshots.finish() }
        return try await run(problem, options: options, settings: settings, progress: { snapshot in
            _ = snapshots.yield(snapshot)
            return false
        }, stop: stop)
    }
}
