import CFactorSense
import Testing
@testable import FactorSenseC

/// The C exports called from Swift: handle checks that C programs rely on.
@Suite struct HandleTests {
    @Test func freedAndForeignHandlesAreRefusedNotDereferenced() {
        var problem: OpaquePointer?
        #expect(fs_problem_create(&problem) == FS_OK)
        #expect(fs_problem_generate_gaussian(problem, 4, 3, 1, 12, 1, 1, 0, 0) == FS_OK)
        fs_problem_free(problem)
        #expect(fs_problem_get_shape(problem, nil, nil, nil) == FS_ERROR_INVALID_HANDLE)
        fs_problem_free(problem)  // a second free is ignored
        #expect(fs_problem_get_shape(OpaquePointer(bitPattern: 0xdead0), nil, nil, nil) == FS_ERROR_INVALID_HANDLE)

        var options: OpaquePointer?
        #expect(fs_options_create(&options) == FS_OK)
        #expect(fs_problem_get_shape(options, nil, nil, nil) == FS_ERROR_INVALID_HANDLE)
        fs_problem_free(options)  // the wrong kind: ignored, options stays alive
        #expect(fs_options_set_real(options, "step", 0.2) == FS_OK)
        fs_options_free(options)
    }

    @Test func errorsLeaveAMessageOnTheHandleAndSuccessClearsIt() {
        var options: OpaquePointer?
        #expect(fs_options_create(&options) == FS_OK)
        defer { fs_options_free(options) }
        #expect(fs_options_set_real(options, "step", -1) == FS_ERROR_INVALID_ARGUMENT)
        #expect(String(cString: fs_last_error(UnsafeRawPointer(options))) == "step must be > 0, got -1.0")
        #expect(fs_options_set_real(options, "step", 1) == FS_OK)
        #expect(String(cString: fs_last_error(UnsafeRawPointer(options))) == "")
        #expect(fs_options_set_int(options, nil, 1) == FS_ERROR_NULL_POINTER)
    }

    @Test func staticTextsCoverEveryValue() {
        for raw in UInt32(0)...11 {
            #expect(!String(cString: fs_status_string(fs_status(raw))).isEmpty)
        }
        #expect(String(cString: fs_stop_reason_string(FS_STOP_DIVERGED)) == "diverged")
        #expect(String(cString: fs_stop_reason_string(FS_STOP_INTERRUPTED)) == "interrupted")
        #expect(String(cString: fs_status_string(FS_ERROR_INTERRUPTED)) == "interrupted by fs_interrupt")
        #expect(String(cString: fs_status_string(fs_status(12))) == "unknown status")
        #expect(String(cString: fs_version_string()) == "0.5.0")
        #expect(fs_version_number() == 500)
    }
}
