import CFactorSense
import FactorSense

extension FactorSenseError.Kind {
    /// The pinned C status of this kind of failure.
    var status: fs_status {
        switch self {
        case .nullPointer: FS_ERROR_NULL_POINTER
        case .invalidHandle: FS_ERROR_INVALID_HANDLE
        case .invalidArgument: FS_ERROR_INVALID_ARGUMENT
        case .sizeMismatch: FS_ERROR_SIZE_MISMATCH
        case .notFinite: FS_ERROR_NOT_FINITE
        case .overflow: FS_ERROR_OVERFLOW
        case .outOfMemory: FS_ERROR_OUT_OF_MEMORY
        case .wrongState: FS_ERROR_WRONG_STATE
        case .linearAlgebra: FS_ERROR_LINEAR_ALGEBRA
        case .internal: FS_ERROR_INTERNAL
        case .interrupted: FS_ERROR_INTERRUPTED
        }
    }
}
