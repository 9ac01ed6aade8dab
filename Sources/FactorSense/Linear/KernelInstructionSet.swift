import CDenseKernels

/// The instruction set the dense operators' kernels (`DenseKernels`, Sources/CDenseKernels) run
/// on: `avx512` (x86-64-v4), `avx2` (x86-64-v3) or `baseline`.
///
/// The kernels are compiled for all three and the best this machine runs is chosen when the
/// library is loaded; the environment variable `FACTORSENSE_KERNEL_ISA` set to one of the three
/// names before then chooses that one instead, when the machine runs it. Every instruction set
/// performs the same fused multiply-adds in the same order, so the choice changes the speed,
/// never a bit of a result.
public enum KernelInstructionSet {
    /// "avx512", "avx2" or "baseline".
    public static var name: String {
        guard let text = textPointer else { return "baseline" }
        return String(cString: text)
    }

    /// The same name as static C text, valid for the life of the process.
    public static var textPointer: UnsafePointer<CChar>? { fsk_instruction_set() }
}
