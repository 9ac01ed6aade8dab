/// The thresholds of phase detection (docs/mathematics.md, "Phases"), each in (0, 1).
public struct PhaseThresholds: Sendable, Equatable {
    /// Phase (I) ends when the spectral alignment sine is at most this (0.1).
    public var alignment = 0.1
    /// Phase (II) ends, and σ_i(X) counts as learned, when σ_i(X) ≥ this · s⋆_i (0.5).
    public var saddleFraction = 0.5
    /// The test error has reached its plateau when it improved by less than this fraction (0.01)…
    public var plateauTolerance = 0.01
    /// …over this last fraction of the run's iterations (0.1).
    public var plateauWindow = 0.1

    public init() {}

    /// The option names, as the C and Python layers spell them.
    public static let names = ["alignment_threshold", "saddle_fraction", "plateau_tolerance", "plateau_window"]

    /// Checks every threshold lies in the open interval (0, 1).
    public func validate() throws(FactorSenseError) {
        for (name, value) in zip(Self.names, [alignment, saddleFraction, plateauTolerance, plateauWindow]) {
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
/// (docs/mathematics.md, "Phases").
public struct Phases: Sendable, Equatable {
    /// End of (I), alignment: the first recorded iterate from which the spectral alignment
    /// sine (the larger of left and right) stays ≤ the threshold up to the end of (II).
    public var alignmentEnd: PhaseEvent?
    /// End of (II), saddle avoidance: the first recorded iterate with σ_r(X) ≥ ½ s⋆_r.
    public var saddleEnd: PhaseEvent?
    /// Start of the plateau that ends (III), local refinement: the first recorded iterate after
    /// the end of (II) whose test error is within the tolerance of the final one — when the test
    /// error improved by less than the tolerance over the last window of the run.
    public var plateauStart: PhaseEvent?
    /// The test error at the plateau (the final one), when the plateau is resolved.
    public var plateauLevel: Double?
    /// For each i ≤ r (and ≤ the recorded singular values), the first recorded iterate with
    /// σ_i(X) ≥ ½ s⋆_i (incremental learning), nil when never.
    public var learningTimes: [PhaseEvent?]

    public init(alignmentEnd: PhaseEvent? = nil, saddleEnd: PhaseEvent? = nil, plateauStart: PhaseEvent? = nil,
                plateauLevel: Double? = nil, learningTimes: [PhaseEvent?] = []) {
        self.alignmentEnd = alignmentEnd
        self.saddleEnd = saddleEnd
        self.plateauStart = plateauStart
        self.plateauLevel = plateauLevel
        self.learningTimes = learningTimes
    }
}

/// Reads `Phases` off a history.
enum PhaseDetector {
    /// The phases of `history` against the truth's singular values s⋆ (nil: no truth, nothing
    /// resolved). The plateau's window is a fraction of the run along `axis`: "iteration" for
    /// gradient descent, "time" for the gradient flow.
    static func detect(_ history: History, truthValues: [Double]?, thresholds: PhaseThresholds,
                       axis: String = "iteration") -> Phases {
        guard let s = truthValues, !s.isEmpty, let sigma = history.column(Diagnostic.singularValues.rawValue),
              let c = history.width(of: Diagnostic.singularValues.rawValue), history.count > 0,
              let times = history.column("time"), let abscissa = history.column(axis)
        else { return Phases() }
        let iterations = history.iterations
        func event(_ row: Int) -> PhaseEvent { PhaseEvent(iteration: iterations[row], time: times[row]) }
        let learned = min(s.count, c)
        let learningTimes: [PhaseEvent?] = (0..<learned).map { i in
            (0..<history.count).first { sigma[$0 * c + i] >= thresholds.saddleFraction * s[i] }.map(event)
        }
        var phases = Phases(learningTimes: learningTimes)
        guard s.count <= c, let saddleRow = (0..<history.count).first(where: { sigma[$0 * c + s.count - 1] >= thresholds.saddleFraction * s[s.count - 1] })
        else { return phases }
        phases.saddleEnd = event(saddleRow)
        phases.alignmentEnd = alignmentEnd(history, upTo: saddleRow, threshold: thresholds.alignment).map(event)
        let (start, level) = plateau(history, abscissa: abscissa, from: saddleRow, thresholds)
        (phases.plateauStart, phases.plateauLevel) = (start.map(event), level)
        return phases
    }

    /// The first row from which max(left, right) spectral sine ≤ threshold through `saddleRow`.
    private static func alignmentEnd(_ history: History, upTo saddleRow: Int, threshold: Double) -> Int? {
        guard history.width(of: Diagnostic.spectralAlignmentLeft.rawValue) != nil else { return nil }
        func sine(_ row: Int) -> Double {
            let left = history.value(Diagnostic.spectralAlignmentLeft.rawValue, row: row) ?? .nan
            let right = history.value(Diagnostic.spectralAlignmentRight.rawValue, row: row) ?? left
            return max(left, right)
        }
        var first: Int?
        for row in 0...saddleRow {
            if sine(row) <= threshold { first = first ?? row } else { first = nil }
        }
        return first
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
