/// The outcome of a gradient-descent run.
public struct GradientDescentResult: Sendable, Equatable {
    /// U_t, n1 × k (with `restoreBest`, U of the best recorded iterate).
    public var U: Matrix
    /// V_t, n2 × k.
    public var V: Matrix
    /// t, the index of the iterate held. After divergence, the last iterate whose loss was finite;
    /// after an interrupt, the last one whose loss was computed in full.
    public var iterations: Int
    /// Why the run stopped.
    public var stopReason: StopReason
    /// The recorded trajectory; its last row is iterate t.
    public var history: History
    /// The phases read off the history (docs/mathematics.md, "Phases").
    public var phases: Phases
    /// With a validation set: the recorded iterate of least validation error (whose factors
    /// U and V are with `restoreBest`); nil without one, or when no validation error was finite.
    public var bestIteration: Int? = nil
    /// For a gradient flow: the integrator's accepted and rejected steps and evaluations; nil
    /// for gradient descent.
    public var flowStatistics: FlowStatistics? = nil
}
