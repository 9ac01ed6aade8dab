import CFactorSense
import FactorSense

@_cdecl("fs_gradient_descent") @implementation
public func fs_gradient_descent(_ problem: OpaquePointer?, _ options: OpaquePointer?, _ result: OpaquePointer?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        guard let problemHandle = Registry.lookup(problem, as: ProblemHandle.self) else {
            throw FactorSenseError(.invalidHandle, "problem is not a live fs_problem handle (NULL, freed, or another kind)")
        }
        guard let optionsHandle = Registry.lookup(options, as: OptionsHandle.self) else {
            throw FactorSenseError(.invalidHandle, "options is not a live fs_options handle (NULL, freed, or another kind)")
        }
        // Copies of what the run reads, each taken under its handle's lock: the run itself holds
        // only the result's lock, so other threads may run on the same problem and options.
        let sensingProblem = try problemHandle.exclusively { () throws(FactorSenseError) in try problemHandle.filled() }
        let (settings, validation, callback, user) = try optionsHandle.exclusively { () throws(FactorSenseError) in
            (optionsHandle.options, optionsHandle.validation, optionsHandle.callback, optionsHandle.user)
        }
        let progress = callback.map { callback in
            progressHandler(callback, user, maxIterations: settings.maxIterations)
        }
        handle.result = try handle.watchingStops({ () throws(FactorSenseError) in
            try GradientDescent.run(sensingProblem, options: settings, validation: validation, progress: progress,
                                    stop: handle.stopRequest)
        }, interrupted: { $0.stopReason == .interrupted })
    }
}

/// The core's progress handler that calls the C callback with an `fs_progress`.
func progressHandler(_ callback: fs_progress_callback, _ user: UnsafeMutableRawPointer?, maxIterations: Int) -> GradientDescent.ProgressHandler {
    let user = UserPointer(user)
    return { snapshot in
        snapshot.U.elements.withUnsafeBufferPointer { u in
            snapshot.V.elements.withUnsafeBufferPointer { v in
                var progress = fs_progress(
                    struct_size: MemoryLayout<fs_progress>.size,
                    iteration: Int64(snapshot.iteration),
                    max_iterations: Int64(maxIterations),
                    loss: snapshot.loss,
                    test_error: snapshot.testError,
                    residual: snapshot.residual,
                    n1: Int64(snapshot.U.rows),
                    n2: Int64(snapshot.V.rows),
                    width: Int64(snapshot.U.columns),
                    U: u.baseAddress,
                    V: v.baseAddress)
                ProcessExit.beforeCallback()
                return callback(user.raw, &progress) != 0
            }
        }
    }
}
