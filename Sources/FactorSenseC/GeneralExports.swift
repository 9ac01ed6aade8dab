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

@_cdecl("fs_last_error") @implementation
public func fs_last_error(_ handle: UnsafeRawPointer?) -> UnsafePointer<CChar>? {
    Registry.lookup(handle, as: Handle.self)?.lastError ?? StaticText.invalidHandle
}
