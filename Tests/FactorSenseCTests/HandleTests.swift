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
        #expect(String(cString: fs_version_string()) == "\(FS_VERSION_MAJOR).\(FS_VERSION_MINOR).\(FS_VERSION_PATCH)")
        #expect(fs_version_number() == Int64(FS_VERSION_MAJOR * 10000 + FS_VERSION_MINOR * 100 + FS_VERSION_PATCH))
    }

    /// The versioned-struct rule from Swift: an older spec (the 0.3 size) is filled up to its size
    /// and no further; a newer one with a non-zero unknown tail is refused, naming the byte.
    @Test func versionedStructsAreFilledAndReadToTheCallersSize() {
        let own = MemoryLayout<fs_problem_spec>.size
        let old = MemoryLayout<fs_problem_spec>.offset(of: \fs_problem_spec.precision) ?? own
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: own + 16, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: own + 16)
        let spec = buffer.assumingMemoryBound(to: fs_problem_spec.self)
        #expect(fs_problem_spec_init(spec, old) == FS_OK)
        #expect((old..<(own + 16)).allSatisfy { buffer.load(fromByteOffset: $0, as: UInt8.self) == 0xA5 })
        #expect(spec.pointee.struct_size == old && spec.pointee.scale == 1)
        #expect(fs_problem_spec_init(spec, 16) == FS_ERROR_INVALID_ARGUMENT)
        #expect(fs_problem_spec_init(nil, own) == FS_ERROR_NULL_POINTER)

        #expect(fs_problem_spec_init(spec, own + 8) == FS_OK)
        #expect(buffer.load(fromByteOffset: own, as: UInt64.self) == 0)
        spec.pointee.n1 = 4
        spec.pointee.n2 = 3
        spec.pointee.rank = 1
        spec.pointee.measurements = 12
        var problem: OpaquePointer?
        #expect(fs_problem_create(&problem) == FS_OK)
        defer { fs_problem_free(problem) }
        #expect(fs_problem_generate(problem, "gaussian", spec) == FS_OK)
        buffer.storeBytes(of: UInt64(1), toByteOffset: own, as: UInt64.self)
        #expect(fs_problem_generate(problem, "gaussian", spec) == FS_ERROR_INVALID_ARGUMENT)
        #expect(String(cString: fs_last_error(UnsafeRawPointer(problem))).contains("byte \(own) is not 0"))
    }
}
