/// One integration of `GradientFlow`: the right-hand side over the state y = [vec(U); vec(V)]
/// (vec(U) alone for the symmetric parameterization), the rows it records, and its result.
struct FlowRun {
    let problem: SensingProblem
    let options: GradientDescentOptions
    let settings: GradientFlow.Settings
    let objective: Objective
    let symmetric: Bool
    let truth: Matrix?
    let progress: GradientDescent.ProgressHandler?
    var recorder: TrajectoryRecorder
    /// The factors of the last recorded row.
    var last: (row: Int, U: Matrix, V: Matrix)?
    /// An error the perturbation threw, which ends the call.
    var failure: FactorSenseError?
    /// Whether the progress handler or the perturbation asked to stop.
    var stoppedByCaller = false
    /// When the progress handler was last called: it also sees the state between requested
    /// times, at an accepted step, once `GradientDescent.progressInterval` has passed.
    let clock = ContinuousClock()
    var lastReport: ContinuousClock.Instant

    init(problem: SensingProblem, options: GradientDescentOptions, settings: GradientFlow.Settings,
         recorder: TrajectoryRecorder, progress: GradientDescent.ProgressHandler?) throws(FactorSenseError) {
        self.problem = problem
        self.options = options
        self.settings = settings
        self.objective = Objective(parameterization: problem.parameterization, balancing: options.balancing, ridge: options.ridge)
        self.symmetric = problem.parameterization == .symmetric
        if case .operator = settings.perturbation { self.truth = nil } else { self.truth = try problem.groundTruth?.matrix }
        self.recorder = recorder
        self.progress = progress
        self.lastReport = clock.now
    }

    mutating func integrate(from U0: Matrix, _ V0: Matrix) throws(FactorSenseError) -> GradientDescentResult {
        let (n1, n2, k) = (U0.rows, V0.rows, U0.columns)
        let y0 = symmetric ? U0.elements : U0.elements + V0.elements
        let stop = StopRequest.current
        var run = self  // the closures below change the copy; it is put back after
        let f: (Double, [Double]) -> [Double]? = { t, y in
            if stop?.isRequested == true { return nil }
            let (U, V) = FlowRun.factors(y, n1, n2, k, symmetric: run.symmetric)
            let derivative = run.velocity(t, U, V)
            if stop?.isRequested == true { return nil }
            return derivative
        }
        let observe: (Int, Double, [Double]) -> Bool = { row, t, y in
            if stop?.isRequested == true { return false }
            let (U, V) = FlowRun.factors(y, n1, n2, k, symmetric: run.symmetric)
            return run.record(row, t, U, V)
        }
        let accepted: (Double, [Double]) -> Bool = { t, y in
            if stop?.isRequested == true { return false }
            let (U, V) = FlowRun.factors(y, n1, n2, k, symmetric: run.symmetric)
            return run.reportBetweenRows(t, U, V)
        }
        let outcome: (ending: DormandPrince.Ending, statistics: DormandPrince.Statistics)
        switch settings.method {
        case .dormandPrince54:
            outcome = DormandPrince(rtol: settings.rtol, atol: settings.atol, maxEvaluations: settings.maxEvaluations)
                .integrate(y0, times: settings.times, f: f, observe: observe, accepted: accepted)
        case .dormandPrince853:
            outcome = DormandPrince853(rtol: settings.rtol, atol: settings.atol, maxEvaluations: settings.maxEvaluations)
                .integrate(y0, times: settings.times, f: f, observe: observe, accepted: accepted)
        }
        self = run
        if let failure { throw failure }
        guard let last else {
            throw FactorSenseError(.interrupted, "the gradient flow was interrupted by a stop request before its first row was recorded")
        }
        let reason: StopReason
        switch outcome.ending {
        case .finished: reason = .endTime
        case .stoppedByCaller: reason = stop?.isRequested == true && !stoppedByCaller ? .interrupted : .callback
        case .nonFinite: reason = .diverged
        case .stepUnderflow: reason = .stepSizeUnderflow
        case .evaluationBudget: reason = .maxIterations
        }
        var result = GradientDescentResult(U: last.U, V: last.V, iterations: last.row, stopReason: reason,
                                           history: recorder.history, phases: recorder.phases(options.phaseThresholds, axis: "time"))
        result.flowStatistics = FlowStatistics(acceptedSteps: outcome.statistics.accepted,
                                               rejectedSteps: outcome.statistics.rejected,
                                               evaluations: outcome.statistics.evaluations)
        return result
    }

    /// (U, V) of a state (V = U for the symmetric parameterization).
    static func factors(_ y: [Double], _ n1: Int, _ n2: Int, _ k: Int, symmetric: Bool) -> (Matrix, Matrix) {
        var u = Matrix(rows: n1, columns: k)
        u.elements = Array(y[0..<(n1 * k)])
        if symmetric { return (u, u) }
        var v = Matrix(rows: n2, columns: k)
        v.elements = Array(y[(n1 * k)...])
        return (u, v)
    }

    /// −(∇_U, ∇_V) of the flow at (t, U, V), as a state; nil to stop.
    mutating func velocity(_ t: Double, _ U: Matrix, _ V: Matrix) -> [Double]? {
        var (gradientU, gradientV): (Matrix, Matrix)
        switch settings.perturbation {
        case .operator:
            let evaluation = objective.evaluate(U: U, V: V, operator: problem.sensingOperator, measurements: problem.measurements)
            (gradientU, gradientV) = (evaluation.gradientU, evaluation.gradientV)
        case .none:
            (gradientU, gradientV) = populationGradient(U, V, perturbation: nil)
        case .custom(let perturbation):
            let e: Matrix?
            do throws(FactorSenseError) { e = try perturbation(t, U, symmetric ? U : V) } catch {
                failure = error
                return nil
            }
            guard let e else {
                stoppedByCaller = true
                return nil
            }
            if let problem = checkPerturbation(e, t) {
                failure = problem
                return nil
            }
            (gradientU, gradientV) = populationGradient(U, V, perturbation: e)
        }
        gradientU.scale(by: -1)
        if symmetric { return gradientU.elements }
        gradientV.scale(by: -1)
        return gradientU.elements + gradientV.elements
    }

    /// (D + E)V and (D + E)ᵀU with D = UVᵀ − X⋆; symmetric: ½((D + E) + (D + E)ᵀ)U twice.
    private func populationGradient(_ U: Matrix, _ V: Matrix, perturbation e: Matrix?) -> (Matrix, Matrix) {
        var d = BLAS.product(U, V, transposeB: true)
        if let truth { BLAS.axpy(-1, truth.elements, &d.elements) }
        if let e { BLAS.axpy(1, e.elements, &d.elements) }
        if symmetric {
            d.symmetrize()
            let g = BLAS.product(d, U)
            return (g, g)
        }
        return (BLAS.product(d, V), BLAS.product(d, transposeA: true, U))
    }

    /// The error of a perturbation of the wrong shape or with a non-finite entry, else nil.
    private func checkPerturbation(_ e: Matrix, _ t: Double) -> FactorSenseError? {
        guard e.rows == problem.rows, e.columns == problem.columns else {
            return FactorSenseError(.sizeMismatch,
                "the perturbation at t = \(t) is \(e.rows) × \(e.columns); it must be \(problem.rows) × \(problem.columns)")
        }
        if let bad = e.elements.firstIndex(where: { !$0.isFinite }) {
            return FactorSenseError(.notFinite,
                "the perturbation at t = \(t) has a non-finite entry \(e.elements[bad]) at (\(bad / e.columns), \(bad % e.columns))")
        }
        return nil
    }

    /// Records row `row` (time t) and reports it; false to stop.
    mutating func record(_ row: Int, _ t: Double, _ U: Matrix, _ V: Matrix) -> Bool {
        let evaluation = objective.evaluate(U: U, V: V, operator: problem.sensingOperator, measurements: problem.measurements)
        if StopRequest.current?.isRequested == true { return false }  // the evaluation may be partial
        let snapshot = recorder.snapshot(iteration: row, U: U, V: V, evaluation: evaluation, time: t)
        recorder.record(snapshot)
        last = (row, U, V)
        return report(snapshot)
    }

    /// At an accepted step between requested times: reports the state (time t, the index of the
    /// last recorded row) when the progress interval has passed since the last report; false to
    /// stop. Costs one evaluation of the loss, and only then; it records nothing.
    mutating func reportBetweenRows(_ t: Double, _ U: Matrix, _ V: Matrix) -> Bool {
        guard progress != nil, clock.now - lastReport >= GradientDescent.progressInterval else { return true }
        let evaluation = objective.evaluate(U: U, V: V, operator: problem.sensingOperator, measurements: problem.measurements)
        if StopRequest.current?.isRequested == true { return false }
        return report(recorder.snapshot(iteration: last?.row ?? 0, U: U, V: V, evaluation: evaluation, time: t))
    }

    /// Hands `snapshot` to the progress handler; false when it asks to stop.
    private mutating func report(_ snapshot: Snapshot) -> Bool {
        guard let progress else { return true }
        lastReport = clock.now
        if progress(snapshot) {
            stoppedByCaller = true
            return false
        }
        return true
    }
}

/// The counts of a gradient-flow integration.
public struct FlowStatistics: Sendable, Equatable {
    /// Steps accepted and rejected by the error control.
    public var acceptedSteps: Int
    public var rejectedSteps: Int
    /// Evaluations of the right-hand side (each a gradient of the problem for `.operator`).
    public var evaluations: Int
}
