/// Factorized gradient descent (SPEC.md, "Algorithms"): with f the problem's `Objective`,
///
///     U_{t+1} = U_t − η ∇_U f(U_t, V_t),   V_{t+1} = V_t − η ∇_V f(U_t, V_t)   (simultaneous),
///
/// (for the symmetric parameterization V_t = U_t throughout) from small random factors, the
/// spectral ones, or the caller's, until a stop rule holds (SPEC.md, "Stop rules"). Options turn
/// on the comparison variants: the balancing regularizer, per-step noise injection, ScaledGD
/// preconditioning and mini-batch stochastic gradients. Iterate t is recorded when t is a
/// multiple of `recordEvery`, and always when the run stops there.
public enum GradientDescent {
    /// Called at every recorded iterate and, between them, at least every 0.1 s; return `true`
    /// to stop the run (stop reason `.callback`).
    public typealias ProgressHandler = (Snapshot) -> Bool

    /// How often, at the least, `progress` is called between recorded iterates.
    public static let progressInterval = Duration.milliseconds(100)

    /// Runs gradient descent on `problem`.
    ///
    /// - Throws: `.invalidArgument` when neither a width nor initial factors are set or the
    ///   initial factors do not suit the parameterization, `.sizeMismatch` when they do not fit
    ///   the problem, `.overflow` or `.outOfMemory` for a width too large, `.linearAlgebra`
    ///   when the spectral initialization's SVD fails.
    public static func run(
        _ problem: SensingProblem,
        options: GradientDescentOptions,
        progress: ProgressHandler? = nil
    ) throws(FactorSenseError) -> GradientDescentResult {
        let start = try InitialFactors.resolve(options, for: problem)
        try checkRecordSizes(options)
        var run = Run(problem: problem, options: options, progress: progress, U: start.U, V: start.V)
        return run.iterate()
    }

    /// Checks that the history (up to max_iter/record_every + 2 rows) and the loss window of
    /// the relative-change rule fit in memory, before the run starts rather than hours into it.
    static func checkRecordSizes(_ options: GradientDescentOptions) throws(FactorSenseError) {
        let rows = min(options.maxIterations / options.recordEvery, Int.max - 2) + 2
        try SizeLimits.checkAllocation(doubles: try SizeLimits.product(rows, History.columnNames.count, "history entries"),
                                       "the history of max_iter / record_every rows")
        if options.tolerance > 0 {
            try SizeLimits.checkAllocation(doubles: min(options.window, options.maxIterations), "the loss window")
        }
    }
}

/// The state of one run of `GradientDescent`.
private struct Run {
    let problem: SensingProblem
    let options: GradientDescentOptions
    let objective: Objective
    let progress: GradientDescent.ProgressHandler?
    let symmetric: Bool
    var U: Matrix
    var V: Matrix
    var recorder: TrajectoryRecorder
    var recentLosses: [Double]
    var batches: MiniBatchSampler?
    var perturbation: GaussianSampler
    let clock = ContinuousClock()
    var lastReport: ContinuousClock.Instant

    init(problem: SensingProblem, options: GradientDescentOptions, progress: GradientDescent.ProgressHandler?, U: Matrix, V: Matrix) {
        self.problem = problem
        self.options = options
        self.objective = Objective(parameterization: problem.parameterization, balancing: options.balancing)
        self.progress = progress
        self.symmetric = problem.parameterization == .symmetric
        self.U = U
        self.V = V
        self.recorder = TrajectoryRecorder(problem: problem, step: options.step)
        // f_{t−w} for the relative-change rule: a ring of w losses, f_t in slot t mod w, so the slot
        // f_t goes to holds f_{t−w} (one slot when the rule is off; iterates t ≤ max_iter only).
        let ring = options.tolerance > 0 ? min(options.window, options.maxIterations) : 1
        self.recentLosses = [Double](repeating: .nan, count: max(ring, 1))
        let m = problem.measurementCount
        if options.batchSize > 0 && options.batchSize < m {
            self.batches = MiniBatchSampler(count: m, batchSize: options.batchSize, seed: options.seed)
        }
        self.perturbation = GaussianSampler(seed: options.seed, stream: .perturbation)
        self.lastReport = clock.now
    }

    /// f and its gradients at (U, V) on every measurement.
    func evaluateFully() -> Evaluation {
        objective.evaluate(U: U, V: V, operator: problem.sensingOperator, measurements: problem.measurements)
    }

    mutating func iterate() -> GradientDescentResult {
        var previous: (U: Matrix, V: Matrix)?
        var initialLoss = 0.0
        var t = 0
        while true {
            // The full evaluation: every step for GD; at recorded steps (and the last) for SGD.
            let full = batches == nil || t % options.recordEvery == 0 || t >= options.maxIterations
            var evaluation = full ? evaluateFully() : nil
            if let current = evaluation {
                if !current.loss.isFinite { return stepBack(to: previous, at: t) }
                if t == 0 { initialLoss = current.loss }
                if let reason = stopRule(loss: current.loss, initialLoss: initialLoss, at: t) {
                    return finish(reason, at: t, evaluation: current)
                }
            }
            let due = t % options.recordEvery == 0
            if due || progressIsDue() {
                let current = evaluation ?? evaluateFully()
                evaluation = current
                let snapshot = recorder.snapshot(iteration: t, U: U, V: V, evaluation: current)
                if due { recorder.record(snapshot) }
                if report(snapshot) {
                    recorder.record(snapshot)
                    return result(.callback, at: t)
                }
            }

            let step = stepEvaluation(reusing: evaluation)
            if !step.loss.isFinite { return stepBack(to: previous, at: t) }
            previous = (U, V)
            guard update(with: step) else { return finish(.diverged, at: t, evaluation: nil) }
            t += 1
        }
    }

    /// The evaluation a step follows: the full one, or that of the next mini-batch.
    private mutating func stepEvaluation(reusing full: Evaluation?) -> Evaluation {
        guard var sampler = batches else { return full ?? evaluateFully() }
        let batch = sampler.next()
        batches = sampler
        let y = batch.map { problem.measurements[$0] }
        let weight = Double(problem.measurementCount) / Double(batch.count)
        return objective.evaluate(U: U, V: V, operator: problem.sensingOperator.restricted(to: batch),
                                  measurements: y, weight: weight)
    }

    /// One step from (U, V) along `evaluation`'s gradients, preconditioned and perturbed as the
    /// options say; false when ScaledGD's preconditioner is not positive definite.
    private mutating func update(with evaluation: Evaluation) -> Bool {
        var directionU = evaluation.gradientU
        var directionV = evaluation.gradientV
        if options.preconditioner == .scaled {
            guard let inverseU = dampedGramInverse(U) else { return false }
            if symmetric {  // V = U: one Gram matrix, and only U's direction is used
                directionU = BLAS.product(evaluation.gradientU, inverseU)
            } else {
                guard let inverseV = dampedGramInverse(V) else { return false }
                directionU = BLAS.product(evaluation.gradientU, inverseV)
                directionV = BLAS.product(evaluation.gradientV, inverseU)
            }
        }
        BLAS.axpy(-options.step, directionU.elements, &U.elements)
        if symmetric {
            Self.perturb(&U, by: options.noiseInjection, using: &perturbation)
            V = U
        } else {
            BLAS.axpy(-options.step, directionV.elements, &V.elements)
            Self.perturb(&U, by: options.noiseInjection, using: &perturbation)
            Self.perturb(&V, by: options.noiseInjection, using: &perturbation)
        }
        return true
    }

    /// (FᵀF + λI)⁻¹, nil when it is not numerically positive definite.
    private func dampedGramInverse(_ f: Matrix) -> Matrix? {
        var gram = BLAS.product(f, transposeA: true, f)
        for i in 0..<gram.rows { gram[i, i] += options.scaledDamping }
        return Factorizations.inverseOfPositiveDefinite(gram)
    }

    /// Adds τ·N(0, 1) to every entry (perturbed gradient descent).
    private static func perturb(_ f: inout Matrix, by tau: Double, using sampler: inout GaussianSampler) {
        guard tau > 0 else { return }
        for i in f.elements.indices { f.elements[i] += tau * sampler.next() }
    }

    /// The stop rule that holds at iterate t with loss f_t, if any.
    private mutating func stopRule(loss: Double, initialLoss: Double, at t: Int) -> StopReason? {
        if initialLoss > 0 && loss > options.divergenceFactor * initialLoss { return .diverged }
        if options.lossTolerance > 0 && loss <= options.lossTolerance { return .converged }
        if options.tolerance > 0 {
            let slot = t % recentLosses.count
            let windowAgo = recentLosses[slot]  // f_{t−w} (NaN until then; with SGD, the last full loss in that slot)
            recentLosses[slot] = loss
            if t >= options.window && abs(loss - windowAgo) <= options.tolerance * windowAgo { return .converged }
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

    /// Ends a run that met a non-finite value at iterate t: back to iterate t − 1 when there is one.
    private mutating func stepBack(to previous: (U: Matrix, V: Matrix)?, at t: Int) -> GradientDescentResult {
        guard let previous else { return finish(.diverged, at: t, evaluation: nil) }
        (U, V) = previous
        return finish(.diverged, at: t - 1, evaluation: nil)
    }

    /// Records iterate t (evaluating it unless given), reports it, and ends the run.
    private mutating func finish(_ reason: StopReason, at t: Int, evaluation: Evaluation?) -> GradientDescentResult {
        let snapshot = recorder.snapshot(iteration: t, U: U, V: V, evaluation: evaluation ?? evaluateFully())
        recorder.record(snapshot)
        _ = report(snapshot)
        return result(reason, at: t)
    }

    private func result(_ reason: StopReason, at t: Int) -> GradientDescentResult {
        GradientDescentResult(U: U, V: V, iterations: t, stopReason: reason, history: recorder.history)
    }
}
