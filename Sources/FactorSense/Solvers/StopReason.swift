/// Why a run stopped: a result, never an error (docs/mathematics.md, "Stop rules").
public enum StopReason: Int, Sendable, Equatable, CustomStringConvertible {
    /// The relative-change rule (`tolerance`) or the loss rule (`lossTolerance`) held.
    case converged = 1
    /// `maxIterations` iterations were done.
    case maxIterations = 2
    /// A non-finite value appeared, or f_t > divergenceFactor · f₀.
    case diverged = 3
    /// The progress callback asked to stop.
    case callback = 4
    /// A stop was requested (`StopRequest`, `fs_interrupt`, Ctrl-C in Python).
    case interrupted = 5
    /// A gradient flow reached the last requested time.
    case endTime = 6
    /// A gradient flow's step size fell below what its time can resolve.
    case stepSizeUnderflow = 7
    /// The validation error did not improve for `patience` recorded iterates.
    case earlyStopped = 8

    /// The name the C and Python layers use.
    public var description: String {
        switch self {
        case .converged: "converged"
        case .maxIterations: "max_iterations"
        case .diverged: "diverged"
        case .callback: "callback"
        case .interrupted: "interrupted"
        case .endTime: "end_time"
        case .stepSizeUnderflow: "step_size_underflow"
        case .earlyStopped: "early_stopped"
        }
    }
}
