import CFactorSense
import FactorSense

@_cdecl("fs_gradient_descent_batch") @implementation
public func fs_gradient_descent_batch(_ problem: OpaquePointer?, _ options: UnsafePointer<OpaquePointer?>?,
                                      _ results: UnsafePointer<OpaquePointer?>?, _ count: Int64,
                                      _ statuses: UnsafeMutablePointer<fs_status>?) -> fs_status {
    guard let problemHandle = Registry.lookup(problem, as: ProblemHandle.self) else { return FS_ERROR_INVALID_HANDLE }
    let batch: (problem: SensingProblem, trials: [GradientDescent.Trial], results: [ResultHandle])
    do throws(FactorSenseError) {
        batch = try gatherBatch(problemHandle, options, results, count, statuses)
    } catch {
        _ = try? problemHandle.exclusively { problemHandle.setError(error.message) }
        return error.kind.status
    }
    _ = try? problemHandle.exclusively { problemHandle.clearError() }
    // The result handles are held for the whole batch, taken in one global order (any two
    // batches take shared handles in the same order, so they cannot deadlock).
    let order = batch.results.indices.sorted { ObjectIdentifier(batch.results[$0]) < ObjectIdentifier(batch.results[$1]) }
    var held: [Int] = []
    for i in order where batch.results[i].acquire() { held.append(i) }
    defer { for i in held.reversed() { batch.results[i].release() } }
    guard held.count == order.count else {
        _ = try? problemHandle.exclusively {
            problemHandle.setError("a result handle is held by a call running on this thread (called from a progress callback?)")
        }
        return FS_ERROR_WRONG_STATE
    }
    let outcomes: [Result<GradientDescentResult, FactorSenseError>]
    do throws(FactorSenseError) {
        outcomes = try GradientDescent.runBatch(batch.problem, trials: batch.trials)
    } catch {
        _ = try? problemHandle.exclusively { problemHandle.setError(error.message) }
        return error.kind.status
    }
    var first = FS_OK
    for (i, outcome) in outcomes.enumerated() {
        let status = store(outcome, in: batch.results[i])
        statuses?[i] = status
        if first == FS_OK && status != FS_OK { first = status }
    }
    return first
}

/// Trial i's outcome into its result handle (held by this thread), as fs_gradient_descent
/// would leave it; its status.
private func store(_ outcome: Result<GradientDescentResult, FactorSenseError>, in handle: ResultHandle) -> fs_status {
    switch outcome {
    case .success(let result):
        if result.stopReason == .interrupted { handle.stopRequest.reset() }
        handle.result = result
        handle.clearError()
        return FS_OK
    case .failure(let error):
        if error.kind == .interrupted { handle.stopRequest.reset() }
        handle.setError(error.message)
        return error.kind.status
    }
}

/// The problem, the trials and the result handles of a batch call, every argument checked.
private func gatherBatch(_ problemHandle: ProblemHandle, _ options: UnsafePointer<OpaquePointer?>?,
                         _ results: UnsafePointer<OpaquePointer?>?, _ count: Int64,
                         _ statuses: UnsafeMutablePointer<fs_status>?) throws(FactorSenseError)
    -> (problem: SensingProblem, trials: [GradientDescent.Trial], results: [ResultHandle]) {
    guard let options, let results, statuses != nil else {
        throw FactorSenseError(.nullPointer, "options, results and statuses must not be NULL")
    }
    guard count >= 1, count <= Int64(GradientDescent.maxBatchTrials) else {
        throw FactorSenseError(.invalidArgument, "count must be between 1 and \(GradientDescent.maxBatchTrials), got \(count)")
    }
    let n = Int(count)
    var resultHandles: [ResultHandle] = []
    var seen = Set<ObjectIdentifier>()
    var trials: [GradientDescent.Trial] = []
    for i in 0..<n {
        guard let result = Registry.lookup(results[i], as: ResultHandle.self) else {
            throw FactorSenseError(.invalidHandle, "results[\(i)] is not a live fs_result handle (NULL, freed, or another kind)")
        }
        guard seen.insert(ObjectIdentifier(result)).inserted else {
            throw FactorSenseError(.invalidArgument, "results[\(i)] appears twice in the batch: each trial needs its own result")
        }
        guard let optionsHandle = Registry.lookup(options[i], as: OptionsHandle.self) else {
            throw FactorSenseError(.invalidHandle, "options[\(i)] is not a live fs_options handle (NULL, freed, or another kind)")
        }
        let (settings, validation, callback) = try optionsHandle.exclusively { () throws(FactorSenseError) in
            (optionsHandle.options, optionsHandle.validation, optionsHandle.callback)
        }
        guard callback == nil else {
            throw FactorSenseError(.invalidArgument, "options[\(i)] has a progress callback, which a batch cannot call (clear it with fs_options_set_progress(options, NULL, NULL))")
        }
        resultHandles.append(result)
        trials.append(GradientDescent.Trial(options: settings, validation: validation, stop: result.stopRequest))
    }
    let problem = try problemHandle.exclusively { () throws(FactorSenseError) in try problemHandle.filled() }
    return (problem, trials, resultHandles)
}
