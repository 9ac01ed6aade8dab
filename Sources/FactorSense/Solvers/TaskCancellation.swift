extension StopRequest {
    /// `body`'s value, computed on a thread of its own (`DedicatedThread`: a run blocks its thread
    /// for as long as it computes, which must not be a thread of the cooperative pool) while the
    /// calling task is suspended; cancelling that task makes every request of `requests`, which
    /// `body` watches. So a cancelled run stops as it does for any stop request — within about
    /// 0.1 s of its work, with `StopReason.interrupted` — and the task gets its result.
    ///
    /// The requests are new ones that follow the caller's (`init(following:)`): cancellation makes
    /// them, never a request of the caller's, which may be watched by other computations.
    static func cancelling<R: Sendable>(
        _ requests: [StopRequest], _ body: @escaping @Sendable () throws(FactorSenseError) -> R
    ) async throws(FactorSenseError) -> R {
        let outcome = await withTaskCancellationHandler {
            await DedicatedThread.run { () -> Result<R, FactorSenseError> in
                do throws(FactorSenseError) { return .success(try body()) } catch { return .failure(error) }
            }
        } onCancel: {
            for request in requests { request.request() }
        }
        return try outcome.get()
    }
}
