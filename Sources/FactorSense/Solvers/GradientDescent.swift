/// Factorized gradient descent on f(U, V) = ½‖𝒜(UVᵀ) − y‖² (SPEC.md, "Algorithms"):
///
///     ρ_t = 𝒜(U_tV_tᵀ) − y,   G_t = 𝒜*(ρ_t),
///     U_{t+1} = U_t − η G_t V_t,   V_{t+1} = V_t − η G_tᵀ U_t   (simultaneous updates),
///
/// from small random factors U₀ = (α/√k)·N(0,1)^{n1×k}, V₀ = (α/√k)·N(0,1)^{n2×k} or the caller's,
/// until a stop rule holds (SPEC.md, "Stop rules"). Iterate t is recorded when t is a multiple of
/// `recordEvery`, and always when the run stops there.
public enum GradientDescent {
    /// Called at every recorded iterate and, between them, at least every 0.1 s; return `true`
    /// to stop the run (stop reason `.callback`).
    public typealias ProgressHandler = (Snapshot) -> Bool

    /// How often, at the least, `progress` is called between recorded iterates.
    public static let progressInterval = Duration.milliseconds(100)

    /// Runs gradient descent on `problem`.
    ///
    /// - Throws: `.invalidArgument` when neither a width nor initial factors are set,
    ///   `.sizeMismatch` when the initial factors do not fit the problem, `.overflow` or
    ///   `.outOfMemory` for a width too large.
    public static func run(
        _ problem: SensingProblem,
        options: GradientDescentOptions,
        progress: ProgressHandler? = nil
    ) throws(FactorSenseError) -> GradientDescentResult {
        let start = try InitialFactors.resolve(options, rows: problem.rows, columns: problem.columns)
        var run = Run(problem: problem, options: options, progress: progress, U: start.U, V: start.V)
        return run.iterate()
    }
}

/// The state of one run of `GradientDescent`.
private struct Run {
    let problem: SensingProblem
    let options: GradientDescentOptions
    let progress: GradientDescent.ProgressHandler?
    var U: Matrix
    var V: Matrix
    var recorder: TrajectoryRecorder
    var recentLosses: [Double]
    let clock = ContinuousClock()
    var lastReport: ContinuousClock.Instant

    init(problem: SensingProblem, options: GradientDescentOptions, progress: GradientDescent.ProgressHandler?, U: Matrix, V: Matrix) {
        self.problem = problem
        self.options = options
        self.progress = progress
        self.U = U
        self.V = V
        self.recorder = TrajectoryRecorder(problem: problem, step: options.step)
        self.recentLosses = [Double](repeating: .nan, count: min(options.window, options.maxIterations) + 1)
        self.lastReport = clock.now
    }

    mutating func iterate() -> GradientDescentResult {
        var previous: (U: Matrix, V: Matrix, residual: [Double])?
        var initialLoss = 0.0
        var t = 0
        while true {
            let gradient = problem.sensingOperator.residualAndGradient(U: U, V: V, measurements: problem.measurements)
            let loss = gradient.loss
            if !loss.isFinite {
                // Step back to the last finite iterate, if there is one.
                if let previous {
                    (U, V) = (previous.U, previous.V)
                    return finish(.diverged, at: t - 1, residual: previous.residual)
                }
                return finish(.diverged, at: t, residual: gradient.residual)
            }
            if t == 0 { initialLoss = loss }

            if let reason = stopRule(loss: loss, initialLoss: initialLoss, at: t) {
                return finish(reason, at: t, residual: gradient.residual)
            }
            let due = t % options.recordEvery == 0
            if due || progressIsDue() {
                let snapshot = recorder.snapshot(iteration: t, U: U, V: V, residual: gradient.residual)
                if due { recorder.record(snapshot) }
                if report(snapshot) {
                    recorder.record(snapshot)
                    return result(.callback, at: t)
                }
            }

            previous = (U, V, gradient.residual)
            BLAS.axpy(-options.step, gradient.gradientU.elements, &U.elements)
            BLAS.axpy(-options.step, gradient.gradientV.elements, &V.elements)
            t += 1
        }
    }

    /// The stop rule that holds at iterate t with loss f_t, if any.
    private mutating func stopRule(loss: Double, initialLoss: Double, at t: Int) -> StopReason? {
        if initialLoss > 0 && loss > options.divergenceFactor * initialLoss { return .diverged }
        if options.lossTolerance > 0 && loss <= options.lossTolerance { return .converged }
        let slot = t % recentLosses.count
        let windowAgo = recentLosses[slot]  // f_{t−w}, NaN until t ≥ w
        recentLosses[slot] = loss
        if options.tolerance > 0 && t >= options.window && abs(loss - windowAgo) <= options.tolerance * windowAgo {
            return .converged
        }
        if t >= options.maxIterations { return .maxIterations }
        return nil
    }

    private func progressIsDue() -> Bool {
        progress != nil && clock.now - lastReport >= GradientDescent.progressInterval
    }

    /// Hands `snapshot` to the progress handler; whether it asks to stop.
    private mutating func report(_ snapshot: Snapshot) -> Bool {
        guard let progress else { return false }
        lastReport = clock.now
        return progress(snapshot)
    }

    /// Records iterate t (whose residual is given), reports it, and ends the run.
    private mutating func finish(_ reason: StopReason, at t: Int, residual: [Double]) -> GradientDescentResult {
        let snapshot = recorder.snapshot(iteration: t, U: U, V: V, residual: residual)
        recorder.record(snapshot)
        _ = report(snapshot)
        return result(reason, at: t)
    }

    private func result(_ reason: StopReason, at t: Int) -> GradientDescentResult {
        GradientDescentResult(U: U, V: V, iterations: t, stopReason: reason, history: recorder.history)
    }
}
