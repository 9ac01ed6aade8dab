import CFactorSense
import FactorSense

@_cdecl("fs_flow_settings_init") @implementation
public func fs_flow_settings_init(_ settings: UnsafeMutablePointer<fs_flow_settings>?, _ size: Int) -> fs_status {
    FlowSettings.layout.initialize(settings, size: size) { size in
        fs_flow_settings(
            struct_size: size, times: nil, time_count: 0, rtol: 1e-8, atol: 1e-10,
            max_evaluations: 1_000_000, perturbation: Int32(FS_PERTURBATION_OPERATOR.rawValue), callback: nil, user: nil,
            method: Int32(FS_FLOW_METHOD_RK45.rawValue), sized_callback: nil)
    }
}

@_cdecl("fs_gradient_flow") @implementation
public func fs_gradient_flow(_ problem: OpaquePointer?, _ options: OpaquePointer?,
                             _ settings: UnsafePointer<fs_flow_settings>?, _ result: OpaquePointer?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        guard let problemHandle = Registry.lookup(problem, as: ProblemHandle.self) else {
            throw FactorSenseError(.invalidHandle, "problem is not a live fs_problem handle (NULL, freed, or another kind)")
        }
        guard let optionsHandle = Registry.lookup(options, as: OptionsHandle.self) else {
            throw FactorSenseError(.invalidHandle, "options is not a live fs_options handle (NULL, freed, or another kind)")
        }
        let flowSettings = try FlowSettings.read(settings)
        let sensingProblem = try problemHandle.exclusively { () throws(FactorSenseError) in try problemHandle.filled() }
        let (gradientOptions, callback, user) = try optionsHandle.exclusively { () throws(FactorSenseError) in
            guard optionsHandle.validation == nil else {
                throw FactorSenseError(.invalidArgument,
                    "the gradient flow has no validation set (fs_options_set_validation): that is a rule of gradient descent; clear it with fs_options_clear_validation")
            }
            return (optionsHandle.options, optionsHandle.callback, optionsHandle.user)
        }
        let progress = callback.map { progressHandler($0, user, maxIterations: flowSettings.times.count - 1) }
        handle.result = try handle.watchingStops({ () throws(FactorSenseError) in
            try GradientFlow.run(sensingProblem, options: gradientOptions, settings: flowSettings, progress: progress,
                                 stop: handle.stopRequest)
        }, interrupted: { $0.stopReason == .interrupted })
    }
}

@_cdecl("fs_result_get_flow_statistics") @implementation
public func fs_result_get_flow_statistics(_ result: OpaquePointer?, _ accepted: UnsafeMutablePointer<Int64>?,
                                          _ rejected: UnsafeMutablePointer<Int64>?,
                                          _ evaluations: UnsafeMutablePointer<Int64>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        guard let accepted, let rejected, let evaluations else {
            throw FactorSenseError(.nullPointer, "accepted, rejected and evaluations must not be NULL")
        }
        guard let statistics = try handle.filled().flowStatistics else {
            throw FactorSenseError(.wrongState, "the result holds a gradient-descent run, not a gradient flow")
        }
        accepted.pointee = Int64(statistics.acceptedSteps)
        rejected.pointee = Int64(statistics.rejectedSteps)
        evaluations.pointee = Int64(statistics.evaluations)
    }
}

/// The caller's fs_flow_settings as `GradientFlow.Settings`.
enum FlowSettings {
    /// The versioned struct: its first published size is that of 0.3 and 0.4, before `sized_callback`.
    static let layout = VersionedStruct<fs_flow_settings>(
        typeName: "fs_flow_settings", argument: "settings",
        firstSize: MemoryLayout<fs_flow_settings>.offset(of: \fs_flow_settings.sized_callback) ?? MemoryLayout<fs_flow_settings>.size,
        advice: "fill the settings with fs_flow_settings_init(&settings, sizeof settings)")

    /// The settings read by the versioned-struct rule (only struct_size is read before it is
    /// checked), as `GradientFlow.Settings`.
    static func read(_ pointer: UnsafePointer<fs_flow_settings>?) throws(FactorSenseError) -> GradientFlow.Settings {
        let s = try layout.read(pointer, zero: fs_flow_settings())
        guard s.time_count >= 1 else {
            throw FactorSenseError(.invalidArgument, "times is empty (settings.time_count is \(s.time_count)): give at least one time")
        }
        let count = try Buffers.size(s.time_count, atLeast: 1, "settings.time_count")
        try SizeLimits.checkAllocation(doubles: count, "the times of the flow")
        guard let times = s.times else { throw FactorSenseError(.nullPointer, "settings.times is NULL") }
        let evaluations = try Buffers.size(s.max_evaluations, atLeast: 1, "settings.max_evaluations")
        let perturbation = try perturbation(s)
        let method: GradientFlow.Method
        switch s.method {
        case Int32(FS_FLOW_METHOD_RK45.rawValue): method = .dormandPrince54
        case Int32(FS_FLOW_METHOD_DOP853.rawValue): method = .dormandPrince853
        default:
            throw FactorSenseError(.invalidArgument,
                "settings.method must be FS_FLOW_METHOD_RK45 (0) or FS_FLOW_METHOD_DOP853 (1), got \(s.method)")
        }
        return GradientFlow.Settings(times: Array(UnsafeBufferPointer(start: times, count: count)), rtol: s.rtol, atol: s.atol,
                                     maxEvaluations: evaluations, perturbation: perturbation, method: method)
    }

    /// The perturbation the settings name; a callback's E is read back as an n1 × n2 matrix.
    private static func perturbation(_ s: fs_flow_settings) throws(FactorSenseError) -> GradientFlow.Perturbation {
        switch s.perturbation {
        case Int32(FS_PERTURBATION_OPERATOR.rawValue): return .operator
        case Int32(FS_PERTURBATION_NONE.rawValue): return .none
        case Int32(FS_PERTURBATION_CALLBACK.rawValue):
            let user = UserPointer(s.user)
            switch (s.sized_callback, s.callback) {
            case (.some, .some):
                throw FactorSenseError(.invalidArgument,
                    "settings.sized_callback and settings.callback are both set: set sized_callback alone (callback is the 0.4 one without sizes)")
            case (.some(let callback), nil):
                return .custom { t, U, V throws(FactorSenseError) in
                    try perturbation(U, V) { u, v, e in
                        ProcessExit.beforeCallback()
                        return callback(user.raw, t, Int64(U.rows), Int64(V.rows), Int64(U.columns), u, v, e)
                    }
                }
            case (nil, .some(let callback)):
                return .custom { t, U, V throws(FactorSenseError) in
                    try perturbation(U, V) { u, v, e in
                        ProcessExit.beforeCallback()
                        return callback(user.raw, t, u, v, e)
                    }
                }
            case (nil, nil):
                throw FactorSenseError(.nullPointer,
                    "settings.sized_callback is NULL but the perturbation is FS_PERTURBATION_CALLBACK")
            }
        default:
            throw FactorSenseError(.invalidArgument,
                "settings.perturbation must be FS_PERTURBATION_OPERATOR (0), FS_PERTURBATION_NONE (1) or FS_PERTURBATION_CALLBACK (2), got \(s.perturbation)")
        }
    }

    /// E from a callback that writes the n1 × n2 matrix; nil when it asks to stop.
    private static func perturbation(
        _ U: Matrix, _ V: Matrix,
        _ call: (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?) -> Int32
    ) throws(FactorSenseError) -> Matrix? {
        var e = [Double](repeating: 0, count: U.rows * V.rows)
        let stop = U.elements.withUnsafeBufferPointer { u in
            V.elements.withUnsafeBufferPointer { v in
                e.withUnsafeMutableBufferPointer { out in call(u.baseAddress, v.baseAddress, out.baseAddress) }
            }
        }
        return stop != 0 ? nil : try Matrix(rows: U.rows, columns: V.rows, elements: e)
    }
}
