import CFactorSense
import FactorSense

@_cdecl("fs_version_number") @implementation
public func fs_version_number() -> Int64 {
    Int64(FS_VERSION_MAJOR * 10000 + FS_VERSION_MINOR * 100 + FS_VERSION_PATCH)
}

@_cdecl("fs_version_string") @implementation
public func fs_version_string() -> UnsafePointer<CChar>? {
    StaticText.version
}

@_cdecl("fs_kernel_instruction_set") @implementation
public func fs_kernel_instruction_set() -> UnsafePointer<CChar>? {
    KernelInstructionSet.textPointer
}

@_cdecl("fs_status_string") @implementation
public func fs_status_string(_ status: fs_status) -> UnsafePointer<CChar>? {
    let index = Int(status.rawValue)
    return index < StaticText.statuses.count ? StaticText.statuses[index] : StaticText.unknownStatus
}

@_cdecl("fs_stop_reason_string") @implementation
public func fs_stop_reason_string(_ reason: fs_stop_reason) -> UnsafePointer<CChar>? {
    let index = Int(reason.rawValue)
    return index < StaticText.stopReasons.count ? StaticText.stopReasons[index] : StaticText.unknownStopReason
}

@_cdecl("fs_begin_exit") @implementation
public func fs_begin_exit() {
    ProcessExit.begin()
}

@_cdecl("fs_last_error") @implementation
public func fs_last_error(_ handle: UnsafeRawPointer?) -> UnsafePointer<CChar>? {
    Registry.lookup(handle, as: Handle.self)?.lastError ?? StaticText.invalidHandle
}

@_cdecl("fs_interrupt") @implementation
public func fs_interrupt(_ handle: UnsafeRawPointer?) -> fs_status {
    guard let handle = Registry.lookup(handle, as: Handle.self), handle is ProblemHandle || handle is ResultHandle else {
        return FS_ERROR_INVALID_HANDLE
    }
    handle.stopRequest.request()  // atomic: no handle lock, never waits for the running call
    return FS_OK
}

extension Handle {
    /// Runs a long call's `body` watching this handle's stop request (fs_interrupt), and consumes
    /// the request when the call stopped for it (`interrupted` of its value, or `.interrupted`).
    func watchingStops<R>(_ body: () throws(FactorSenseError) -> R, interrupted: (R) -> Bool = { _ in false }) throws(FactorSenseError) -> R {
        do {
            let value = try stopRequest.watch(body)
            if interrupted(value) { stopRequest.reset() }
            return value
        } catch {
            if error.kind == .interrupted { stopRequest.reset() }
            throw error
        }
    }
}
