/// One run of `GradientDescent`: the factors, the parts that decide each step, and the loop.
///
/// Each iteration t (1) evaluates f and its gradients on every measurement — every step for
/// gradient descent; for mini-batches only at recorded iterates and the last — and checks the
/// evaluation (`accept`: finite, `StopRules`); (2) records the iterate when it is due and hands
/// it to the progress handler (`recordIfDue`: `TrajectoryRecorder`, `EarlyStopping`); (3) takes
/// the step (`advance`: `StepDirection`, noise injection, the automatic rule's
/// `lineSearch`), stepping back to a finite iterate on a non-finite value (`DivergenceGuard`).
/// A stop request ends the run at the last iterate whose evaluation was complete.
struct GradientDescentRun {
    let problem: SensingProblem
    let options: GradientDescentOptions
    let objective: Objective
    let progress: GradientDescent.ProgressHandler?
    let symmetric: Bool
    var U: Matrix
    var V: Matrix
    var recorder: TrajectoryRecorder
    var stopRules: StopRules
    var divergence = DivergenceGuard()
    var earlyStopping: EarlyStopping
    var steps = AutomaticStep.Sizes()
    var batches: MiniBatchSampler?
    var perturbation: GaussianSampler
    let clock = ContinuousClock()
    var lastReport: ContinuousClock.Instant
    let stop = StopRequest.current
    /// The last iterate whose full evaluation was complete: where an interrupted run ends.
    var lastEvaluated: (t: Int, U: Matrix, V: Matrix, evaluation: Evaluation)?
    /// Whether the history records a validation error.
    let hasValidation: Bool
    /// The evaluation of the automatic rule's accepted trial: the next iterate's.
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
        self.stopRules = StopRules(options)
        self.earlyStopping = EarlyStopping(options)
        self.steps.automatic = options.stepRule == .auto
        let m = problem.measurementCount
        if options.batchSize > 0 && options.batchSize < m {
            self.batches = MiniBatchSampler(count: m, batchSize: options.batchSize, seed: options.seed)
        }
        self.perturbation = GaussianSampler(seed: options.seed, stream: .perturbation)
        self.lastReport = clock.now
    }

    /// The loop of the type's documentation.
    mutating func iterate() throws(FactorSenseError) -> GradientDescentResult {
        var t = 0
        if batches != nil { divergence.checkpoint(t, U: U, V: V) }
        while true {
            let full = batches == nil || t % options.recordEvery == 0 || t >= options.maxIterations
            var evaluation = full ? (takePending() ?? evaluateFully()) : nil
            if let current = evaluation, let end = try accept(current, at: t) { return end }
            if let end = try recordIfDue(t, &evaluation) { return end }
            if let end = try advance(&t, from: evaluation) { return end }
        }
    }

    /// f and its gradients at (U, V) on every measurement.
    func evaluateFully() -> Evaluation {
        objective.evaluate(U: U, V: V, operator: problem.sensingOperator, measurements: problem.measurements)
    }

    /// Checks iterate t's full evaluation: a stop request, a non-finite loss (step back), the
    /// automatic rule's first step, the stop rules. The result when the run ends here.
    private mutating func accept(_ current: Evaluation, at t: Int) throws(FactorSenseError) -> GradientDescentResult? {
        if isInterrupted { return try interrupted() }  // the evaluation may be partial
        if !current.loss.isFinite { return stepBack(before: t, at: t) }
        if steps.automatic && t == 0 {
            steps.start(initialStep(at: current))
            if isInterrupted { return try interrupted() }
        }
        divergence.verify(t, U: U, V: V)
        lastEvaluated = (t, U, V, current)
        guard let reason = stopRules.check(loss: current.loss, at: t) else { return nil }
        return finish(reason, at: t, evaluation: current)
    }

    /// Records iterate t when it is due, and reports it when it is due or the progress
    /// interval has passed (between recorded mini-batch steps this evaluation is timed, not
    /// scheduled: it never changes the run, only what the progress handler sees). The result
    /// when the handler or the patience rule ends the run.
    private mutating func recordIfDue(_ t: Int, _ evaluation: inout Evaluation?) throws(FactorSenseError) -> GradientDescentResult? {
        let due = t % options.recordEvery == 0
        guard due || progressIsDue() else { return nil }
        let current = evaluation ?? evaluateFully()
        if isInterrupted { return try interrupted() }
        if current.loss.isFinite { lastEvaluated = (t, U, V, current) }
        evaluation = current
        let snapshot = unstoppable { makeSnapshot(t, current) }
        let patienceRanOut = due && record(snapshot)
        if report(snapshot) {
            if !current.loss.isFinite { return stepBack(before: t, at: t, reason: .callback) }
            _ = record(snapshot)
            return result(.callback, at: t)
        }
        return patienceRanOut ? result(.earlyStopped, at: t) : nil
    }

    /// Steps from iterate t to t + 1: the automatic rule's line search, or one step of the fixed
    /// size along the full or mini-batch gradient. The result when the run ends here.
    private mutating func advance(_ t: inout Int, from evaluation: Evaluation?) throws(FactorSenseError) -> GradientDescentResult? {
        if steps.automatic, let current = evaluation {
            switch lineSearch(from: current) {
            case .accepted(let trial): pending = trial
            case .noDecrease: return finish(.converged, at: t, evaluation: current)
            case .interrupted: return try interrupted()
            }
            t += 1
            return nil
        }
        let step = stepEvaluation(reusing: evaluation)
        if isInterrupted { return try interrupted() }
        if !step.loss.isFinite { return stepBack(before: t + 1, at: t) }
        guard update(with: step, step: options.step) else { return stepBack(before: t + 1, at: t) }
        guard U.isFinite, V.isFinite else { return stepBack(before: t + 1, at: t + 1) }
        t += 1
        if batches != nil { divergence.checkpoint(t, U: U, V: V) }
        return nil
    }

    private mutating func takePending() -> Evaluation? {
        defer { pending = nil }
        return pending
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

    /// One step of size `eta` from (U, V) along `evaluation`'s `StepDirection`, then the
    /// injected noise; false when ScaledGD's preconditioner is not positive definite.
    mutating func update(with evaluation: Evaluation, step eta: Double) -> Bool {
        guard let direction = StepDirection.of(evaluation, U: U, V: V, symmetric: symmetric, options: options) else { return false }
        BLAS.axpy(-eta, direction.U.elements, &U.elements)
        if symmetric {
            Self.perturb(&U, by: options.noiseInjection, using: &perturbation)
            V = U
        } else {
            BLAS.axpy(-eta, direction.V.elements, &V.elements)
            Self.perturb(&U, by: options.noiseInjection, using: &perturbation)
            Self.perturb(&V, by: options.noiseInjection, using: &perturbation)
        }
        return true
    }

    /// Adds τ·N(0, 1) to every entry (perturbed gradient descent).
    private static func perturb(_ f: inout Matrix, by tau: Double, using sampler: inout GaussianSampler) {
        guard tau > 0 else { return }
        for i in f.elements.indices { f.elements[i] += tau * sampler.next() }
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
    /// finite, else the last iterate whose full loss was seen finite, else, when even iterate 0's
    /// loss is not finite, iterate t. So a diverged run's factors and its last history row are
    /// finite whenever some iterate's were.
    private mutating func stepBack(before bound: Int, at t: Int, reason: StopReason = .diverged) -> GradientDescentResult {
        for candidate in divergence.candidates(before: bound) {
            (U, V) = (candidate.U, candidate.V)
            let evaluation = unstoppable { evaluateFully() }
            if evaluation.loss.isFinite { return finish(reason, at: candidate.t, evaluation: evaluation) }
        }
        guard let verified = divergence.verified else { return finish(reason, at: t, evaluation: nil) }
        (U, V) = (verified.U, verified.V)
        return finish(reason, at: verified.t, evaluation: nil)
    }

    var isInterrupted: Bool { stop?.isRequested == true }

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
                          time: steps.automatic ? steps.elapsed : nil, stepSize: steps.automatic ? steps.last : nil)
    }

    /// Records `snapshot` (unless its iteration is the last recorded) and tells the validation
    /// rules; whether the patience rule now holds.
    private mutating func record(_ snapshot: Snapshot) -> Bool {
        guard unstoppable({ recorder.record(snapshot) }), hasValidation else { return false }
        return earlyStopping.observe(snapshot)
    }

    /// The result at iterate t: its factors, or with `restoreBest` the best recorded iterate's.
    private func result(_ reason: StopReason, at t: Int) -> GradientDescentResult {
        let (finalU, finalV) = earlyStopping.factors(U, V)
        return GradientDescentResult(U: finalU, V: finalV, iterations: t, stopReason: reason,
                                     history: recorder.history, phases: recorder.phases(options.phaseThresholds),
                                     bestIteration: earlyStopping.best?.t)
    }
}
