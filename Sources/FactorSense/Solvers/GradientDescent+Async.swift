/// The `async` forms of gradient descent: the same runs, bit for bit, computed on a thread of
/// their own while the calling task is suspended, with the task's cancellation mapped to a stop
/// request (`StopRequest.cancelling(_:_:)`).
///
/// ```swift
/// let (snapshots, sink) = AsyncStream.makeStream(of: Snapshot.self)
/// async let run = GradientDescent.run(problem, options: options, snapshots: sink)
/// for await snapshot in snapshots { print(snapshot.iteration, snapshot.loss) }
/// let result = try await run        // cancelling the task ends it with .interrupted
/// ```
extension GradientDescent {
    /// `run(_:options:validation:progress:stop:)` as an `async` call. Cancelling the task stops
    /// the run as a stop request does: it ends with `StopReason.interrupted` at the last iterate
    /// whose evaluation was complete, within about 0.1 s of its work (or throws `.interrupted`
    /// when no iterate was evaluated yet). `stop` (or, without it, the current `StopRequest`)
    /// stops it too; cancellation leaves `stop` itself unmade. `progress` is called on the run's
    /// thread, not the caller's.
    ///
    /// - Throws: what `run(_:options:validation:progress:stop:)` throws.
    public static func run(
        _ problem: SensingProblem,
        options: GradientDescentOptions,
        validation: SensingProblem? = nil,
        progress: ProgressHandler? = nil,
        stop: StopRequest? = nil
    ) async throws(FactorSenseError) -> GradientDescentResult {
        let request = StopRequest(following: stop ?? StopRequest.current)
        return try await StopRequest.cancelling([request]) { () throws(FactorSenseError) in
            try run(problem, options: options, validation: validation, progress: progress, stop: request)
        }
    }

    /// `run(_:options:validation:progress:stop:) async` with its snapshots — every recorded
    /// iterate, the timed ones between them, the final one, in the order of the run — yielded to
    /// `snapshots`, the continuation of an `AsyncStream` (`AsyncStream.makeStream(of:)`), which is
    /// finished when the run ends, whether it returns or throws. The run never waits for the
    /// stream's reader: the stream's buffering policy decides what an unread stream keeps.
    ///
    /// - Throws: what `run(_:options:validation:progress:stop:)` throws.
    public static func run(
        _ problem: SensingProblem,
        options: GradientDescentOptions,
        validation: SensingProblem? = nil,
        snapshots: AsyncStream<Snapshot>.Continuation,
        stop: StopRequest? = nil
    ) async throws(FactorSenseError) -> GradientDescentResult {
        defer { snapshots.finish() }
        return try await run(problem, options: options, validation: validation, progress: { snapshot in
            _ = snapshots.yield(snapshot)
            return false
        }, stop: stop)
    }

    /// `runBatch(_:options:stop:)` as an `async` call: cancelling the task stops every trial as
    /// `stop` would (each ends `.interrupted`, or fails with `.interrupted` before its first iterate).
    ///
    /// - Throws: what `runBatch(_:options:stop:)` throws.
    public static func runBatch(_ problem: SensingProblem, options: [GradientDescentOptions],
                                stop: StopRequest? = nil) async throws(FactorSenseError) -> [Result<GradientDescentResult, FactorSenseError>] {
        let request = StopRequest(following: stop ?? StopRequest.current)
        return try await StopRequest.cancelling([request]) { () throws(FactorSenseError) in
            try runBatch(problem, options: options, stop: request)
        }
    }

    /// `runBatch(_:trials:)` as an `async` call: cancelling the task stops every trial, each of
    /// which still stops for its own request too (or, without one, for the current request).
    ///
    /// - Throws: what `runBatch(_:trials:)` throws.
    public static func runBatch(_ problem: SensingProblem,
                                trials: [Trial]) async throws(FactorSenseError) -> [Result<GradientDescentResult, FactorSenseError>] {
        let outer = StopRequest.current
        var watched = trials
        for i in watched.indices { watched[i].stop = StopRequest(following: trials[i].stop ?? outer) }
        let requests = watched.compactMap(\.stop)
        return try await StopRequest.cancelling(requests) { [watched] () throws(FactorSenseError) in
            try runBatch(problem, trials: watched)
        }
    }
}
