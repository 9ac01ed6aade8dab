/// Factorized gradient descent (docs/mathematics.md, "Gradient descent and its variants"): with f the problem's `Objective`,
///
///     U_{t+1} = U_t − η ∇_U f(U_t, V_t),   V_{t+1} = V_t − η ∇_V f(U_t, V_t)   (simultaneous),
///
/// (for the symmetric parameterization V_t = U_t throughout) from small random factors, the
/// spectral ones, or the caller's, until a stop rule holds (docs/mathematics.md, "Stop rules"). Options turn
/// on the comparison variants: the balancing regularizer, per-step noise injection, ScaledGD
/// preconditioning and mini-batch stochastic gradients. Iterate t is recorded when t is a
/// multiple of `recordEvery`, and always when the run stops there.
///
/// With a validation set (docs/completion.md) each recorded iterate also gets its validation
/// error; `patience` stops the run when it has not improved for that many recorded iterates
/// (`.earlyStopped`) and `restoreBest` returns the factors of the best one. The automatic step
/// rule (`StepRule.auto`) replaces the fixed η by a backtracking line search.
public enum GradientDescent {
    /// Called at every recorded iterate and, between them, at least every 0.1 s; return `true`
    /// to stop the run (stop reason `.callback`). `@Sendable`: it runs on the thread of the run,
    /// which for the `async` overloads and the trials of a batch is not the caller's.
    public typealias ProgressHandler = @Sendable (Snapshot) -> Bool

    /// How often, at the least, `progress` is called between recorded iterates.
    public static let progressInterval = Duration.milliseconds(100)

    /// Runs gradient descent on `problem`.
    ///
    /// - Throws: every refusal of `GradientDescentOptions.validate()` (options whose
    ///   properties were set to values the setters refuse: `.invalidArgument`, `.notFinite`);
    ///   `.invalidArgument` when neither a width nor initial factors are set or the initial
    ///   factors do not suit the parameterization, `.sizeMismatch` when they do not fit the
    ///   problem, `.overflow` or `.outOfMemory` when what the run would hold at its peak
    ///   (`PeakMemory.run`) exceeds what the process can still allocate, `.linearAlgebra` when
    ///   the spectral initialization's SVD fails, `.interrupted` when a stop is requested
    ///   before the first iterate was evaluated (during the spectral initialization, say).
    ///   With `validation`: `.sizeMismatch` when its shape is not the problem's,
    ///   `.invalidArgument` when its entries overlap the training entries. `.invalidArgument`
    ///   for `patience` or `restoreBest` without a validation set, and for the automatic step
    ///   with mini-batches or noise injection.
    ///
    /// `stop` (or, without it, the current `StopRequest`) is checked after every evaluation and
    /// inside long ones: a run that sees it made ends with `.interrupted` at the last iterate
    /// whose evaluation was complete.
    public static func run(
        _ problem: SensingProblem,
        options: GradientDescentOptions,
        validation: SensingProblem? = nil,
        progress: ProgressHandler? = nil,
        stop: StopRequest? = nil
    ) throws(FactorSenseError) -> GradientDescentResult {
        try options.validate()
        try checkCombination(options, problem: problem, hasValidation: validation != nil)
        let k = try InitialFactors.width(options, for: problem)
        try MemoryBudget.require(PeakMemory.run(problem, options: options, width: k, validation: validation),
                                 for: "gradient descent on the \(problem.rows) × \(problem.columns) problem with m = \(problem.measurementCount) at width \(k)")
        var checked: Validation?
        if let validation { checked = try Validation(validation, for: problem) }
        return try StopRequest.watching(stop) { () throws(FactorSenseError) in
            let start = try InitialFactors.resolve(options, for: problem)
            let recorder = try TrajectoryRecorder(problem: problem, options: options, width: k, validation: checked)
            var run = Run(problem: problem, options: options, progress: progress, recorder: recorder, U: start.U, V: start.V,
                          hasValidation: checked != nil)
            return try run.iterate()
        }
    }

    /// Refuses options that need what the run does not have.
    private static func checkCombination(_ options: GradientDescentOptions, problem: SensingProblem,
                                         hasValidation: Bool) throws(FactorSenseError) {
        if !hasValidation && options.patience > 0 {
            throw FactorSenseError(.invalidArgument, "patience \(options.patience) needs a validation set (validation or holdout)")
        }
        if !hasValidation && options.restoreBest {
            throw FactorSenseError(.invalidArgument, "restore_best needs a validation set (validation or holdout)")
        }
        if options.stepRule == .auto {
            if options.batchSize > 0 && options.batchSize < problem.measurementCount {
                throw FactorSenseError(.invalidArgument,
                    "the automatic step (step_rule \"auto\") needs full gradients: batch_size must be 0 (or ≥ m), got \(options.batchSize)")
            }
            if options.noiseInjection > 0 {
                throw FactorSenseError(.invalidArgument,
                    "the automatic step (step_rule \"auto\") cannot be combined with noise_injection > 0")
            }
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
    /// A mini-batch run's iterates to step back to (`checkpoint`).
    var checkpoints: [Iterate] = []
    var perturbation: GaussianSampler
    let clock = ContinuousClock()
    var lastReport: ContinuousClock.Instant
    let stop = StopRequest.current
    /// The last iterate whose full evaluation was complete: where an interrupted run ends.
    var lastEvaluated: (t: Int, U: Matrix, V: Matrix, evaluation: Evaluation)?
    /// Whether the history records a validation error.
    let hasValidation: Bool
    /// The recorded iterate of least (finite) validation error so far.
    var best: (t: Int, error: Double, U: Matrix, V: Matrix)?
    /// The rows recorded since `best`'s.
    var rowsSinceBest = 0
    /// The automatic step's state: the next step size to try (0 until estimated), the step into
    /// the current iterate, Σ of the steps taken, and the evaluation of the accepted trial.
    var nextStep = 0.0
    var lastStep = 0.0
    var elapsed = 0.0
    var pending: Evaluation?

    init(problem: SensingProblem, options: GradientDescentOptions, progress: GradientDescent.ProgressHandler?,
         recorder: TrajectoryRecorder, U: Matrix, V: Matrix, hasValidation: Bool) {
        self.problem = problem
        self.hasValidation = hasValidation
        self.options = options
        self.objective = Objective(parameterization: problem.parameterization, balancing: options.balancing, ridge: options.ridge)
        self.progress = progress
        self.symmetric = problem.parameterization == .symmetric
        self.U = U
        self.V = V
        self.recorder = recorder
        // f_{t−w} for the relative-change rule: a ring of min(w, max_iter) losses, f_t in slot
        // t mod w, so the slot f_t goes to holds f_{t−w} (one slot when the rule is off), counted by PeakMemory.run before the run starts.
        self.recentLosses = [Double](repeating: .nan, count: PeakMemory.ringLength(options))
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

    /// An iterate a diverged run can step back to.
    typealias Iterate = (t: Int, U: Matrix, V: Matrix)

    /// The loop of the type's documentation. A run that meets a non-finite value ends as
    /// diverged holding the last iterate whose factors and full loss are finite (`stepBack`):
    /// every step's new factors are checked, and with mini-batches, whose steps evaluate the
    /// full loss only at recorded iterations, the run keeps checkpoints to step back to. A stop
    /// request ends it at the last iterate whose evaluation was complete (`interrupted`).
    mutating func iterate() throws(FactorSenseError) -> GradientDescentResult {
        var verified: Iterate?  // the last iterate whose full loss was finite
        var initialLoss = 0.0
        var t = 0
        if batches != nil { checkpoint(t) }
        while true {
            // The full evaluation: every step for GD; at recorded steps (and the last) for SGD.
            let full = batches == nil || t % options.recordEvery == 0 || t >= options.maxIterations
            var evaluation = full ? (takePending() ?? evaluateFully()) : nil
            if let current = evaluation {
                if isInterrupted { return try interrupted() }  // the evaluation may be partial
                if !current.loss.isFinite { return stepBack(before: t, or: verified, at: t) }
                if automatic && t == 0 {
                    nextStep = initialStep(at: current)
                    lastStep = nextStep
                    if isInterrupted { return try interrupted() }
                }
                verified = (t, U, V)
                lastEvaluated = (t, U, V, current)
                if t == 0 { initialLoss = current.loss }
                if let reason = stopRule(loss: current.loss, initialLoss: initialLoss, at: t) {
                    return finish(reason, at: t, evaluation: current)
                }
            }
            let due = t % options.recordEvery == 0
            if due || progressIsDue() {
                // Between recorded SGD steps this evaluation is timed, not scheduled: it never
                // changes the run, only what the progress handler sees.
                let current = evaluation ?? evaluateFully()
                if isInterrupted { return try interrupted() }
                if current.loss.isFinite { lastEvaluated = (t, U, V, current) }
                evaluation = current
                let snapshot = unstoppable { makeSnapshot(t, current) }
                let patienceRanOut = due && record(snapshot)
                if report(snapshot) {
                    if !current.loss.isFinite { return stepBack(before: t, or: verified, at: t, reason: .callback) }
                    _ = record(snapshot)
                    return result(.callback, at: t)
                }
                if patienceRanOut { return result(.earlyStopped, at: t) }
            }

            if automatic, let current = evaluation {
                switch lineSearch(from: current) {
                case .accepted(let trial): pending = trial
                case .noDecrease: return finish(.converged, at: t, evaluation: current)
                case .interrupted: return try interrupted()
                }
                t += 1
                continue
            }
            let step = stepEvaluation(reusing: evaluation)
            if isInterrupted { return try interrupted() }
            if !step.loss.isFinite { return stepBack(before: t + 1, or: verified, at: t) }
            guard update(with: step, step: options.step) else { return stepBack(before: t + 1, or: verified, at: t) }
            guard Self.isFinite(U), Self.isFinite(V) else { return stepBack(before: t + 1, or: verified, at: t + 1) }
            t += 1
            if batches != nil { checkpoint(t) }
        }
    }

    private var automatic: Bool { options.stepRule == .auto }

    private mutating func takePending() -> Evaluation? {
        defer { pending = nil }
        return pending
    }

    /// η₀ of the automatic step (`AutomaticStep`, step 1) at the current iterate.
    private func initialStep(at current: Evaluation) -> Double {
        let estimate = AutomaticStep.lipschitzEstimate(U: U, V: V, symmetric: symmetric, seed: options.seed) { u, v in
            let evaluation = objective.evaluate(U: u, V: v, operator: problem.sensingOperator, measurements: problem.measurements)
            return (evaluation.gradientU, evaluation.gradientV)
        }
        return estimate.isFinite && estimate > 0 ? 1 / estimate : options.step
    }

    /// The outcome of one backtracking line search.
    private enum LineSearch {
        case accepted(Evaluation)
        case noDecrease
        case interrupted
    }

    /// Step 2 of `AutomaticStep` from the current iterate, whose evaluation is `current`: on
    /// acceptance (U, V) is the new iterate; otherwise it is left unchanged.
    private mutating func lineSearch(from current: Evaluation) -> LineSearch {
        let (savedU, savedV) = (U, V)
        var eta = nextStep
        for _ in 0...AutomaticStep.maxHalvings {
            defer { eta /= 2 }
            (U, V) = (savedU, savedV)
            guard update(with: current, step: eta), Self.isFinite(U), Self.isFinite(V) else { continue }
            // η⟨g, d⟩ = ⟨g, x − x⁺⟩ (for PSD, over U alone: f is a function of U).
            var decrease = BLAS.dot(current.gradientU.elements, savedU.elements) - BLAS.dot(current.gradientU.elements, U.elements)
            if !symmetric {
                decrease += BLAS.dot(current.gradientV.elements, savedV.elements) - BLAS.dot(current.gradientV.elements, V.elements)
            }
            let trial = evaluateFully()
            if isInterrupted {
                (U, V) = (savedU, savedV)
                return .interrupted
            }
            if trial.loss.isFinite && trial.loss <= current.loss - AutomaticStep.sufficientDecrease * decrease {
                lastStep = eta
                elapsed += eta
                nextStep = eta * AutomaticStep.growth
                return .accepted(trial)
            }
        }
        (U, V) = (savedU, savedV)
        return .noDecrease
    }

    /// Keeps iterate t (whose factors are finite) as a checkpoint of a mini-batch run: level j
    /// holds the latest iterate whose index is a multiple of 2^j, so the checkpoints lie about
    /// 1, 2, 4, 8, … steps back, in at most log₂(t) + 2 distinct copies of the factors.
    private mutating func checkpoint(_ t: Int) {
        var level = 0
        while true {
            if level == checkpoints.count { checkpoints.append((t, U, V)) } else { checkpoints[level] = (t, U, V) }
            guard t != 0, t.trailingZeroBitCount > level else { return }
            level += 1
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

    /// One step of size `eta` from (U, V) along `evaluation`'s gradients, preconditioned and
    /// perturbed as the options say; false when ScaledGD's preconditioner is not positive definite.
    private mutating func update(with evaluation: Evaluation, step eta: Double) -> Bool {
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
        BLAS.axpy(-eta, directionU.elements, &U.elements)
        if symmetric {
            Self.perturb(&U, by: options.noiseInjection, using: &perturbation)
            V = U
        } else {
            BLAS.axpy(-eta, directionV.elements, &V.elements)
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

    /// Ends a run that met a non-finite value at iterate t. The iterate it ends at is the
    /// newest checkpoint before `bound` (newest first, each evaluated fully) whose full loss is
    /// finite, else `verified` — the last iterate whose full loss was seen finite — else, when
    /// even iterate 0's loss is not finite, iterate t. So a diverged run's factors and its last
    /// history row are finite whenever some iterate's were.
    private mutating func stepBack(before bound: Int, or verified: Iterate?, at t: Int,
                                   reason: StopReason = .diverged) -> GradientDescentResult {
        let newer = checkpoints.filter { $0.t < bound && $0.t > (verified?.t ?? -1) }.sorted { $0.t > $1.t }
        var tried = -1
        for candidate in newer where candidate.t != tried {
            tried = candidate.t
            (U, V) = (candidate.U, candidate.V)
            let evaluation = unstoppable { evaluateFully() }
            if evaluation.loss.isFinite { return finish(reason, at: candidate.t, evaluation: evaluation) }
        }
        guard let verified else { return finish(reason, at: t, evaluation: nil) }
        (U, V) = (verified.U, verified.V)
        return finish(reason, at: verified.t, evaluation: nil)
    }

    private var isInterrupted: Bool { stop?.isRequested == true }

    /// `body` with no current stop request: what is recorded is always computed in full.
    private func unstoppable<R>(_ body: () -> R) -> R {
        StopRequest.$current.withValue(nil, operation: body)
    }

    /// Ends an interrupted run at the last iterate whose evaluation was complete; `.interrupted`
    /// when there is none yet.
    private mutating func interrupted() throws(FactorSenseError) -> GradientDescentResult {
        guard let last = lastEvaluated else {
            throw FactorSenseError(.interrupted, "the run was interrupted by a stop request before its first iterate was evaluated")
        }
        (U, V) = (last.U, last.V)
        return finish(.interrupted, at: last.t, evaluation: last.evaluation)
    }

    /// Whether every entry of `f` is finite: Σ 0·f_ij is 0 exactly when no entry is NaN or ±∞
    /// (four running sums, so the loop is not bound by one addition's latency).
    private static func isFinite(_ f: Matrix) -> Bool {
        f.elements.withUnsafeBufferPointer { p in
            var sums = (0.0, 0.0, 0.0, 0.0)
            var i = 0
            while i + 4 <= p.count {
                sums.0 += 0 * p[i]
                sums.1 += 0 * p[i + 1]
                sums.2 += 0 * p[i + 2]
                sums.3 += 0 * p[i + 3]
                i += 4
            }
            while i < p.count {
                sums.0 += 0 * p[i]
                i += 1
            }
            return sums.0 + sums.1 + sums.2 + sums.3 == 0
        }
    }

    /// Records iterate t (evaluating it unless given), reports it, and ends the run.
    private mutating func finish(_ reason: StopReason, at t: Int, evaluation: Evaluation?) -> GradientDescentResult {
        let snapshot = unstoppable { makeSnapshot(t, evaluation ?? evaluateFully()) }
        _ = record(snapshot)
        _ = report(snapshot)
        return result(reason, at: t)
    }

    /// The snapshot of iterate t (U, V) with its evaluation, its time and step.
    private func makeSnapshot(_ t: Int, _ evaluation: Evaluation) -> Snapshot {
        recorder.snapshot(iteration: t, U: U, V: V, evaluation: evaluation,
                          time: automatic ? elapsed : nil, stepSize: automatic ? lastStep : nil)
    }

    /// Records `snapshot` (unless its iteration is the last recorded) and keeps the best
    /// validation iterate; whether the patience rule now holds.
    private mutating func record(_ snapshot: Snapshot) -> Bool {
        guard unstoppable({ recorder.record(snapshot) }), hasValidation else { return false }
        let error = snapshot.validationError
        if error.isFinite && (best.map { error < $0.error } ?? true) {
            best = (snapshot.iteration, error, snapshot.U, snapshot.V)
            rowsSinceBest = 0
        } else {
            rowsSinceBest += 1
        }
        return options.patience > 0 && rowsSinceBest >= options.patience
    }

    /// The result at iterate t: its factors, or with `restoreBest` the best recorded iterate's.
    private func result(_ reason: StopReason, at t: Int) -> GradientDescentResult {
        let restored = options.restoreBest ? best : nil
        return GradientDescentResult(U: restored?.U ?? U, V: restored?.V ?? V, iterations: t, stopReason: reason,
                                     history: recorder.history, phases: recorder.phases(options.phaseThresholds),
                                     bestIteration: best?.t)
    }
}
