import CFactorSense
import FactorSense

/// The one rule of the header's versioned structs (fs_problem_spec, fs_flow_settings,
/// fs_phases), that of zstd and the Linux kernel's extensible structs: `struct_size` is the
/// caller's sizeof; the library reads and writes only min(caller's, own) bytes, zero-extends what
/// an older caller did not send, refuses a newer caller's non-zero tail it does not know, and
/// zeroes that tail in a struct it writes. Nothing past struct_size is read before struct_size
/// has been checked, and the library never writes its own size into a caller's struct.
struct VersionedStruct<Layout> {
    /// How C names the struct ("fs_problem_spec") and the caller's argument ("spec").
    let typeName: String
    let argument: String
    /// The first published size: a struct_size below it never came from a header.
    let firstSize: Int
    /// The call that fills it ("fill it with fs_problem_spec_init(&spec, sizeof spec)").
    let advice: String

    /// Larger is taken for garbage, not for a struct of a later header.
    static var largestSize: Int { 4096 }
    /// This library's own sizeof.
    static var ownSize: Int { MemoryLayout<Layout>.size }

    /// The caller's size, checked to lie in firstSize...largestSize.
    func checked(_ size: Int) throws(FactorSenseError) -> Int {
        guard size >= firstSize, size <= Self.largestSize else {
            throw FactorSenseError(.invalidArgument,
                "\(argument).struct_size is \(size), expected the caller's sizeof(\(typeName)) — at least \(firstSize) (the first published size) and at most \(Self.largestSize): \(advice)")
        }
        return size
    }

    /// The struct_size at the caller's pointer: only its first bytes are read.
    func callerSize(_ pointer: UnsafeRawPointer) throws(FactorSenseError) -> Int {
        let raw = pointer.loadUnaligned(as: UInt.self)
        return try checked(raw > UInt(Self.largestSize) ? Int.max : Int(raw))
    }

    /// A copy of the caller's struct: its min(struct_size, own) bytes over `zero` (a zeroed
    /// value), after checking that the bytes of a newer caller past this library's own size are 0.
    func read(_ pointer: UnsafePointer<Layout>?, zero: Layout) throws(FactorSenseError) -> Layout {
        guard let pointer else { throw FactorSenseError(.nullPointer, "\(argument) is NULL") }
        let raw = UnsafeRawPointer(pointer)
        let size = try callerSize(raw)
        if size > Self.ownSize {
            let tail = UnsafeRawBufferPointer(start: raw + Self.ownSize, count: size - Self.ownSize)
            if let offset = tail.firstIndex(where: { $0 != 0 }) {
                throw FactorSenseError(.invalidArgument,
                    "\(argument).struct_size is \(size) and byte \(Self.ownSize + offset) is not 0: a field of a newer header than this library's (FactorSense \(Self.version), whose \(typeName) has \(Self.ownSize) bytes); leave it 0 or load a newer libfactorsense")
            }
        }
        var value = zero
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: min(size, $0.count))) }
        return value
    }

    /// Writes `value` into the caller's `size` bytes (already checked): min(size, own) of them,
    /// and zeros past this library's own size.
    func write(_ value: Layout, to pointer: UnsafeMutableRawPointer, size: Int) {
        withUnsafeBytes(of: value) { bytes in
            pointer.copyMemory(from: bytes.baseAddress ?? UnsafeRawPointer(pointer), byteCount: min(size, bytes.count))
        }
        if size > Self.ownSize { (pointer + Self.ownSize).initializeMemory(as: UInt8.self, repeating: 0, count: size - Self.ownSize) }
    }

    /// What `*_init(pointer, size)` does: the defaults with struct_size = size, in the caller's
    /// size bytes; nothing written when the size or pointer is refused.
    func initialize(_ pointer: UnsafeMutablePointer<Layout>?, size: Int, defaults: (Int) -> Layout) -> fs_status {
        guard let pointer else { return FS_ERROR_NULL_POINTER }
        guard let size = try? checked(size) else { return FS_ERROR_INVALID_ARGUMENT }
        write(defaults(size), to: UnsafeMutableRawPointer(pointer), size: size)
        return FS_OK
    }

    private static var version: String { "\(FS_VERSION_MAJOR).\(FS_VERSION_MINOR).\(FS_VERSION_PATCH)" }
}
