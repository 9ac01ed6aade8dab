import CFactorSense
import FactorSense

/// The object behind an `fs_result *`.
final class ResultHandle: Handle, @unchecked Sendable {
    var result: GradientDescentResult?

    /// The result, or `.wrongState` while the handle holds no run.
    func filled() throws(FactorSenseError) -> GradientDescentResult {
        guard let result else {
            throw FactorSenseError(.wrongState, "the result holds no run: pass it to fs_gradient_descent first")
        }
        return result
    }

    /// The history of the run held, or the standard empty one.
    var history: History { result?.history ?? History() }
}

@_cdecl("fs_result_create") @implementation
public func fs_result_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> fs_status {
    createHandle(out) { ResultHandle() }
}

@_cdecl("fs_result_free") @implementation
public func fs_result_free(_ result: OpaquePointer?) {
    Registry.release(result, as: ResultHandle.self)
}

@_cdecl("fs_result_get_stop_reason") @implementation
public func fs_result_get_stop_reason(_ result: OpaquePointer?, _ reason: UnsafeMutablePointer<fs_stop_reason>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(reason, "reason")
        reason?.pointee = handle.result.map { fs_stop_reason(UInt32($0.stopReason.rawValue)) } ?? FS_STOP_NONE
    }
}

@_cdecl("fs_result_get_iterations") @implementation
public func fs_result_get_iterations(_ result: OpaquePointer?, _ iterations: UnsafeMutablePointer<Int64>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(iterations, "iterations")
        iterations?.pointee = Int64(try handle.filled().iterations)
    }
}

@_cdecl("fs_result_get_best_iteration") @implementation
public func fs_result_get_best_iteration(_ result: OpaquePointer?, _ iteration: UnsafeMutablePointer<Int64>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(iteration, "iteration")
        iteration?.pointee = Int64(try handle.filled().bestIteration ?? -1)
    }
}

@_cdecl("fs_result_get_shape") @implementation
public func fs_result_get_shape(
    _ result: OpaquePointer?, _ n1: UnsafeMutablePointer<Int64>?, _ n2: UnsafeMutablePointer<Int64>?,
    _ width: UnsafeMutablePointer<Int64>?
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        let r = try handle.filled()
        n1?.pointee = Int64(r.U.rows)
        n2?.pointee = Int64(r.V.rows)
        width?.pointee = Int64(r.U.columns)
    }
}

@_cdecl("fs_result_copy_factors") @implementation
public func fs_result_copy_factors(
    _ result: OpaquePointer?, _ U: UnsafeMutablePointer<Double>?, _ uLength: Int64,
    _ V: UnsafeMutablePointer<Double>?, _ vLength: Int64
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        let r = try handle.filled()
        try Buffers.checkOutput(U, length: uLength, for: r.U.elements, "U")
        try Buffers.checkOutput(V, length: vLength, for: r.V.elements, "V")
        Buffers.write(r.U.elements, to: U)
        Buffers.write(r.V.elements, to: V)
    }
}

@_cdecl("fs_result_get_history_length") @implementation
public func fs_result_get_history_length(_ result: OpaquePointer?, _ length: UnsafeMutablePointer<Int64>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(length, "length")
        length?.pointee = Int64(try handle.filled().history.count)
    }
}

@_cdecl("fs_result_get_history_column_count") @implementation
public func fs_result_get_history_column_count(_ result: OpaquePointer?, _ count: UnsafeMutablePointer<Int64>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(count, "count")
        count?.pointee = Int64(handle.history.names.count)
    }
}

@_cdecl("fs_result_get_history_column_name") @implementation
public func fs_result_get_history_column_name(
    _ result: OpaquePointer?, _ index: Int64, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(name, "name")
        let names = handle.history.names
        guard index >= 0, index < Int64(names.count) else {
            throw FactorSenseError(.invalidArgument, "index must be in 0..<\(names.count), got \(index)")
        }
        name?.pointee = StaticText.named(names[Int(index)])
    }
}

@_cdecl("fs_result_get_history_column_width") @implementation
public func fs_result_get_history_column_width(
    _ result: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ width: UnsafeMutablePointer<Int64>?
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(width, "width")
        let history = try handle.filled().history
        width?.pointee = Int64(try recordedWidth(history, try Buffers.string(name, "name")))
    }
}

@_cdecl("fs_result_copy_history") @implementation
public func fs_result_copy_history(
    _ result: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Double>?, _ length: Int64
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        let column = try Buffers.string(name, "name")
        let history = try handle.filled().history
        _ = try recordedWidth(history, column)
        try Buffers.copy(history.column(column) ?? [], to: out, length: length, "out")
    }
}

@_cdecl("fs_result_iterations_to") @implementation
public func fs_result_iterations_to(
    _ result: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ epsilon: Double, _ iteration: UnsafeMutablePointer<Int64>?
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        let column = try Buffers.string(name, "name")
        try Buffers.checkNotNull(iteration, "iteration")
        let found = try handle.filled().history.iterationsTo(epsilon, in: column)
        iteration?.pointee = Int64(found ?? -1)
    }
}

@_cdecl("fs_result_history_minimum") @implementation
public func fs_result_history_minimum(
    _ result: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<Double>?,
    _ iteration: UnsafeMutablePointer<Int64>?
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        let column = try Buffers.string(name, "name")
        guard value != nil || iteration != nil else {
            throw FactorSenseError(.nullPointer, "value and iteration are both NULL: pass at least one")
        }
        let found = try handle.filled().history.minimum(of: column)
        value?.pointee = found.value
        iteration?.pointee = Int64(found.iteration)
    }
}

@_cdecl("fs_result_get_phases") @implementation
public func fs_result_get_phases(_ result: OpaquePointer?, _ phases: UnsafeMutablePointer<fs_phases>?) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        guard let phases else { throw FactorSenseError(.nullPointer, "phases is NULL") }
        let size = try PhasesLayout.layout.callerSize(UnsafeRawPointer(phases))
        let found = try handle.filled().phases
        let filled = fs_phases(
            struct_size: size,
            alignment_end: Int64(found.alignmentEnd?.iteration ?? -1),
            saddle_end: Int64(found.saddleEnd?.iteration ?? -1),
            plateau_start: Int64(found.plateauStart?.iteration ?? -1),
            plateau_level: found.plateauLevel ?? .nan,
            learning_time_count: Int64(found.learningTimes.count),
            alignment_end_time: found.alignmentEnd?.time ?? .nan,
            saddle_end_time: found.saddleEnd?.time ?? .nan,
            plateau_start_time: found.plateauStart?.time ?? .nan,
            recovered: found.recovered ? 1 : 0,
            still_improving: found.stillImproving ? 1 : 0,
            signal_end: Int64(found.signalEnd?.iteration ?? -1),
            signal_end_time: found.signalEnd?.time ?? .nan,
            spectral_angle_left: found.spectralAngleLeft ?? .nan,
            spectral_angle_right: found.spectralAngleRight ?? .nan)
        PhasesLayout.layout.write(filled, to: UnsafeMutableRawPointer(phases), size: size)
    }
}

/// The caller's fs_phases: written by the versioned-struct rule; its first published size is
/// that of 0.2, before the times.
enum PhasesLayout {
    static let layout = VersionedStruct<fs_phases>(
        typeName: "fs_phases", argument: "phases",
        firstSize: MemoryLayout<fs_phases>.offset(of: \fs_phases.alignment_end_time) ?? MemoryLayout<fs_phases>.size,
        advice: "set phases.struct_size = sizeof phases before the call")
}

@_cdecl("fs_result_copy_learning_times") @implementation
public func fs_result_copy_learning_times(
    _ result: OpaquePointer?, _ iterations: UnsafeMutablePointer<Int64>?, _ times: UnsafeMutablePointer<Double>?,
    _ length: Int64
) -> fs_status {
    withHandle(result, as: ResultHandle.self) { handle throws(FactorSenseError) in
        let events = try handle.filled().phases.learningTimes
        guard iterations != nil || times != nil else {
            throw FactorSenseError(.nullPointer, "iterations and times are both NULL: pass at least one")
        }
        try Buffers.checkLength(length, expected: events.count, "length")
        for (i, event) in events.enumerated() {
            iterations?[i] = Int64(event?.iteration ?? -1)
            times?[i] = event?.time ?? .nan
        }
    }
}

/// The width of the recorded column `name`, or `.invalidArgument` listing the recorded ones.
private func recordedWidth(_ history: History, _ name: String) throws(FactorSenseError) -> Int {
    guard let width = history.width(of: name) else {
        throw FactorSenseError(.invalidArgument,
            "history column \(FactorSenseError.quoted(name)) is not recorded; the recorded columns are \(history.names.joined(separator: ", "))")
    }
    return width
}
