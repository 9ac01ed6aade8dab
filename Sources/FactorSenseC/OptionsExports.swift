import CFactorSense
import FactorSense

/// The object behind an `fs_options *`: the solver options, the validation set and the
/// progress callback.
final class OptionsHandle: Handle, @unchecked Sendable {
    var options = GradientDescentOptions()
    var validation: SensingProblem?
    var callback: fs_progress_callback?
    var user: UnsafeMutableRawPointer?
}

@_cdecl("fs_options_create") @implementation
public func fs_options_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> fs_status {
    createHandle(out) { OptionsHandle() }
}

@_cdecl("fs_options_free") @implementation
public func fs_options_free(_ options: OpaquePointer?) {
    Registry.release(options, as: OptionsHandle.self)
}

@_cdecl("fs_options_set_int") @implementation
public func fs_options_set_int(_ options: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: Int64) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        try handle.options.setInteger(Buffers.string(name, "name"), value)
    }
}

@_cdecl("fs_options_set_real") @implementation
public func fs_options_set_real(_ options: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: Double) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        try handle.options.setReal(Buffers.string(name, "name"), value)
    }
}

@_cdecl("fs_options_get_int") @implementation
public func fs_options_get_int(_ options: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<Int64>?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(value, "value")
        value?.pointee = try handle.options.integer(Buffers.string(name, "name"))
    }
}

@_cdecl("fs_options_get_real") @implementation
public func fs_options_get_real(_ options: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<Double>?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(value, "value")
        value?.pointee = try handle.options.real(Buffers.string(name, "name"))
    }
}

@_cdecl("fs_options_set_text") @implementation
public func fs_options_set_text(_ options: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        try handle.options.setText(Buffers.string(name, "name"), Buffers.string(value, "value"))
    }
}

@_cdecl("fs_options_get_text") @implementation
public func fs_options_get_text(_ options: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(value, "value")
        value?.pointee = StaticText.named(try handle.options.text(Buffers.string(name, "name")))
    }
}

@_cdecl("fs_options_count") @implementation
public func fs_options_count() -> Int64 {
    Int64(GradientDescentOptions.table.count)
}

@_cdecl("fs_options_describe") @implementation
public func fs_options_describe(
    _ index: Int64, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ type: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ defaultValue: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ domain: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ summary: UnsafeMutablePointer<UnsafePointer<CChar>?>?
) -> fs_status {
    let table = GradientDescentOptions.table
    guard index >= 0, index < Int64(table.count) else { return FS_ERROR_INVALID_ARGUMENT }
    let option = table[Int(index)]
    name?.pointee = StaticText.named(option.name)
    type?.pointee = StaticText.named(option.kind.rawValue)
    defaultValue?.pointee = StaticText.named(option.defaultText)
    domain?.pointee = StaticText.named(option.domain.text)
    summary?.pointee = StaticText.named(option.summary)
    return FS_OK
}

@_cdecl("fs_options_set_initial_factors") @implementation
public func fs_options_set_initial_factors(
    _ options: OpaquePointer?, _ n1: Int64, _ n2: Int64, _ width: Int64,
    _ U0: UnsafePointer<Double>?, _ uLength: Int64,
    _ V0: UnsafePointer<Double>?, _ vLength: Int64
) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        let rows = try Buffers.size(n1, atLeast: 1, "n1")
        let k = try Buffers.size(width, atLeast: 1, "width")
        try SizeLimits.checkDimension(rows, "n1")
        try SizeLimits.checkDimension(k, "width")
        let n2Copied = V0 != nil || vLength != 0 ? max(n2, 0) : 0
        try MemoryBudget.require(PeakMemory.initialFactors(rows: rows, columns: Int(clamping: n2Copied), width: k),
                                 for: "fs_options_set_initial_factors")
        let u = try Buffers.readMatrix(U0, length: uLength, rows: rows, columns: k, "U0")
        var v: Matrix?
        if V0 != nil || vLength != 0 {  // V0 = NULL with length 0: U0 alone, for PSD problems
            let columns = try Buffers.size(n2, atLeast: 1, "n2")
            try SizeLimits.checkDimension(columns, "n2")
            v = try Buffers.readMatrix(V0, length: vLength, rows: columns, columns: k, "V0")
        }
        handle.options.initialFactors = try InitialFactors(U: u, V: v)
    }
}

@_cdecl("fs_options_clear_initial_factors") @implementation
public func fs_options_clear_initial_factors(_ options: OpaquePointer?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle in
        handle.options.initialFactors = nil
    }
}

@_cdecl("fs_options_set_progress") @implementation
public func fs_options_set_progress(_ options: OpaquePointer?, _ callback: fs_progress_callback?, _ user: UnsafeMutableRawPointer?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle in
        handle.callback = callback
        handle.user = callback == nil ? nil : user
    }
}

@_cdecl("fs_options_set_validation") @implementation
public func fs_options_set_validation(_ options: OpaquePointer?, _ validation: OpaquePointer?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle throws(FactorSenseError) in
        guard let source = Registry.lookup(validation, as: ProblemHandle.self) else {
            throw FactorSenseError(.invalidHandle, "validation is not a live fs_problem handle (NULL, freed, or another kind)")
        }
        // A copy of the problem's value (its arrays are shared until either side changes).
        handle.validation = try source.exclusively { () throws(FactorSenseError) in try source.filled() }
    }
}

@_cdecl("fs_options_clear_validation") @implementation
public func fs_options_clear_validation(_ options: OpaquePointer?) -> fs_status {
    withHandle(options, as: OptionsHandle.self) { handle in
        handle.validation = nil
    }
}
