/// The thresholds of phase detection (docs/mathematics.md, "Phases"), each in (0, 1).
public struct PhaseThresholds: Sendable, Equatable {
    /// Phase (I) ends when the spectral alignment sine is at most this (0.1) while X is small.
    public var alignment = 0.1
    /// Phase (II) ends, and σ_i(X) counts as learned, when σ_i(X) ≥ this · s⋆_i (0.5).
    public var saddleFraction = 0.5
    /// The test error has reached its plateau when it improved by less than this fraction (0.01)…
    public var plateauTolerance = 0.01
    /// …over this last fraction of the run's iterations (0.1).
    public var plateauWindow = 0.1
    /// A run recovers, and only then are its phases named, when its final test error (without a
    /// truth: its final relative residual ‖𝒜(X) − y‖/‖y‖) is at most this (0.1).
    public var recovery = 0.1

    /// X is still small, for the end of (I), while σ₁(X) ≤ this · s⋆_r (without a truth:
    /// · σ_r(𝒜*(y))).
    public static let smallness = 0.1
    /// With a truth, (I) also ends when the signal dominates the noise: σ_min(L⋆ᵀU) ≥ this · ‖UW⊥‖.
    public static let signalDominance = 10.0

    public init() {}

    /// The option names, as the C and Python layers spell them.
    public static let names = ["alignment_threshold", "saddle_fraction", "plateau_tolerance", "plateau_window",
                               "recovery_threshold"]

    /// Checks every threshold lies in the open interval (0, 1).
    public func validate() throws(FactorSenseError) {
        for (name, value) in zip(Self.names, [alignment, saddleFraction, plateauTolerance, plateauWindow, recovery]) {
            guard value > 0, value < 1 else {
                throw FactorSenseError(.invalidArgument, "\(name) must lie in (0, 1), got \(value)")
            }
        }
    }
}

/// A recorded iterate at which something happened: its iteration t and its time (η·t for
/// gradient descent, t for the gradient flow).
public struct PhaseEvent: Sendable, Equatable {
    public var iteration: Int
    public var time: Double

    public init(iteration: Int, time: Double) {
        self.iteration = iteration
        self.time = time
    }
}

/// The phases of a run read off its record, each nil when the run does not show it
/// (docs/mathematics.md, "Phases"). Phases are named only for a run that recovers. Every event
/// is a recorded iterate, so its time is quantized to `recordEvery`: with 10 an end is known to
/// within 10 iterations — record every iterate where phase times matter.
public struct Phases: Sendable, Equatable {
    /// Whether the run recovered: its final test error (without a truth, its final relative
    /// residual) is at most the recovery threshold. When false, no phase is named.
    public var recovered: Bool
    /// End of (I), alignment, by the spectral rule: the first recorded iterate whose spectral
    /// alignment sine (the larger of left and right) is ≤ the threshold while X is still small,
    /// σ₁(X) ≤ 0.1 s⋆_r (without a truth, 0.1 σ_r(𝒜*(y))). The sine may rise again afterwards:
    /// in (II) U turns from the spectral subspace onto L⋆.
    public var alignmentEnd: PhaseEvent?
    /// End of (I) by the signal rule, with a truth: the first recorded iterate at which the signal
    /// dominates the noise, σ_min(L⋆ᵀU) ≥ 10 ‖UW⊥‖. Both rules look no further than the end of
    /// (II): (I) comes first. (With width k ≤ r the noise part is empty: it holds from the start.)
    public var signalEnd: PhaseEvent?
    /// End of (II), saddle avoidance: the first recorded iterate with σ_r(X) ≥ ½ s⋆_r.
    public var saddleEnd: PhaseEvent?
    /// Start of the plateau that ends (III), local refinement: the first recorded iterate after
    /// the end of (II) whose test error is within the tolerance of the final one — when the test
    /// error improved by less than the tolerance over the last window of the run.
    public var plateauStart: PhaseEvent?
    /// The test error at the plateau (the final one), when the plateau is resolved.
    public var plateauLevel: Double?
    /// True when (II) ended but the test error was still improving at the end of the run (no
    /// plateau yet): (III) is under way.
    public var stillImproving: Bool
    /// For each i ≤ r (and ≤ the recorded singular values), the first recorded iterate with
    /// σ_i(X) ≥ ½ s⋆_i (incremental learning), nil when never.
    public var learningTimes: [PhaseEvent?]
    /// sin ∠(top-r left singular subspace of 𝒜*(y), L⋆), and the same on the right (R⋆; for a
    /// PSD run the same as the left): how far the subspace phase (I) aligns with lies from the
    /// truth's, so whether the alignment threshold is reachable. Nil without a truth or when the
    /// spectral alignment is not recorded; reported whether or not the run recovered.
    public var spectralAngleLeft: Double?
    public var spectralAngleRight: Double?

    public init(recovered: Bool = false, alignmentEnd: PhaseEvent? = nil, signalEnd: PhaseEvent? = nil,
                saddleEnd: PhaseEvent? = nil, plateauStart: PhaseEvent? = nil, plateauLevel: Double? = nil,
                stillImproving: Bool = false, learningTimes: [PhaseEvent?] = []) {
        self.recovered = recovered
        self.alignmentEnd = alignmentEnd
        self.signalEnd = signalEnd
        self.saddleEnd = saddleEnd
        self.plateauStart = plateauStart
        self.plateauLevel = plateauLevel
        self.stillImproving = stillImproving
        self.learningTimes = learningTimes
    }
}

/// Reads `Phases` off a history.
enum PhaseDetector {
    /// The phases of `history` against the truth's singular values s⋆ (nil: no truth) and the
    /// top singular values of 𝒜*(y) (nil: not computed). Every phase is nil when the run did not
    /// recover, or when a column it is read from was not recorded. The plateau's window is a
    /// fraction of the run along `axis`: "iteration" for gradient descent, "time" for the flow.
    static func detect(_ history: History, truthValues: [Double]?, spectralValues: [Double]? = nil,
                       thresholds: PhaseThresholds, axis: String = "iteration") -> Phases {
        guard history.count > 0, let times = history.column("time"), let abscissa = history.column(axis)
        else { return Phases() }
        let iterations = history.iterations
        func event(_ row: Int) -> PhaseEvent { PhaseEvent(iteration: iterations[row], time: times[row]) }
        let sigma = history.column(Diagnostic.singularValues.rawValue)
        let c = history.width(of: Diagnostic.singularValues.rawValue) ?? 0
        var phases = Phases(recovered: recovered(history, truth: truthValues != nil, thresholds))
        if let s = truthValues, let sigma, c > 0 {
            phases.learningTimes = (0..<min(s.count, c)).map { i in
                (0..<history.count).first { sigma[$0 * c + i] >= thresholds.saddleFraction * s[i] }.map(event)
            }
        }
        guard phases.recovered else { return phases }
        var saddleRow: Int?
        if let s = truthValues, !s.isEmpty, let sigma, s.count <= c {
            saddleRow = (0..<history.count).first(where: { sigma[$0 * c + s.count - 1] >= thresholds.saddleFraction * s[s.count - 1] })
        }
        // (I) comes before (II): its end is looked for up to the end of (II), when there is one.
        let rowsOfI = 0..<((saddleRow ?? (history.count - 1)) + 1)
        if let scale = truthValues?.last ?? spectralValues?.last, let sigma, c > 0 {
            phases.alignmentEnd = alignmentEnd(history, rows: rowsOfI, sigma: sigma, width: c,
                                               small: PhaseThresholds.smallness * scale, threshold: thresholds.alignment).map(event)
        }
        if truthValues != nil { phases.signalEnd = signalEnd(history, rows: rowsOfI).map(event) }
        guard let saddleRow else { return phases }
        phases.saddleEnd = event(saddleRow)
        let (start, level) = plateau(history, abscissa: abscissa, from: saddleRow, thresholds)
        (phases.plateauStart, phases.plateauLevel) = (start.map(event), level)
        phases.stillImproving = start == nil
        return phases
    }

    /// Whether the final test error (without a truth, the final relative residual) is finite and
    /// at most the recovery threshold.
    private static func recovered(_ history: History, truth: Bool, _ thresholds: PhaseThresholds) -> Bool {
        guard let final = history.column(truth ? "test_error" : "residual")?.last else { return false }
        return final <= thresholds.recovery
    }

    /// The first of `rows` whose spectral sine max(left, right) is ≤ threshold while σ₁(X) ≤ `small`.
    private static func alignmentEnd(_ history: History, rows: Range<Int>, sigma: [Double], width c: Int, small: Double,
                                     threshold: Double) -> Int? {
        guard history.width(of: Diagnostic.spectralAlignmentLeft.rawValue) != nil else { return nil }
        func sine(_ row: Int) -> Double {
            let left = history.value(Diagnostic.spectralAlignmentLeft.rawValue, row: row) ?? .nan
            let right = history.value(Diagnostic.spectralAlignmentRight.rawValue, row: row) ?? left
            return max(left, right)
        }
        return rows.first { sine($0) <= threshold && sigma[$0 * c] <= small }
    }

    /// The first of `rows` at which σ_min(L⋆ᵀU) ≥ 10 ‖UW⊥‖, when both are recorded.
    private static func signalEnd(_ history: History, rows: Range<Int>) -> Int? {
        guard let signal = history.column(Diagnostic.signal.rawValue), let noise = history.column(Diagnostic.noise.rawValue)
        else { return nil }
        return rows.first { signal[$0] >= PhaseThresholds.signalDominance * noise[$0] }
    }

    /// The plateau's first row and level, when the test error improved by less than the
    /// tolerance over the last window of the run.
    private static func plateau(_ history: History, abscissa t: [Double], from saddleRow: Int,
                                _ thresholds: PhaseThresholds) -> (Int?, Double?) {
        guard let errors = history.column("test_error"), let final = errors.last, final.isFinite,
              let first = t.first, let last = t.last else { return (nil, nil) }
        let windowStart = first + (last - first) * (1 - thresholds.plateauWindow)
        guard let before = (0..<history.count).last(where: { t[$0] <= windowStart }), before >= saddleRow,
              final >= (1 - thresholds.plateauTolerance) * errors[before]
        else { return (nil, nil) }
        let start = (saddleRow..<history.count).first { errors[$0] <= (1 + thresholds.plateauTolerance) * final }
        return (start, final)
    }
}
