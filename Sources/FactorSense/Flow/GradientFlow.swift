/// The gradient flow of a sensing problem and Wind's perturbed population flow
/// (docs/mathematics.md, "Gradient flow"), integrated by `DormandPrince`:
///
///     asymmetric:  dU/dt = −(D + E) V,   dV/dt = −(D + E)ᵀ U,     D = UVᵀ − X⋆;
///     symmetric:   dU/dt = −½((D + E) + (D + E)ᵀ) U,              D = UUᵀ − X⋆,
///
/// with the perturbation E
/// - `.operator`: E = 𝒜*(𝒜(X) − y) − (X − X⋆), so that the right-hand side is −∇f of the
///   problem's own objective: the flow that gradient descent with step η follows at time η·t
///   (computed as −∇f, without forming E; no truth needed);
/// - `.none`: E = 0, the population flow of ½‖UVᵀ − X⋆‖²_F (needs the truth);
/// - `.custom(E)`: the caller's E(t, U, V) (needs the truth).
///
/// The `.operator` flow is −∇ of gradient descent's whole `Objective`: `balancing` λ and `ridge`
/// μ add −½λ U(UᵀU − VᵀV) − μU to dU/dt and ½λ V(UᵀU − VᵀV) − μV to dV/dt (symmetric: −μU).
/// The population flows have no such terms and refuse them (`refuseRegularizers`).
///
/// The history records a row at each requested time (its `iteration` is the row's index, its
/// `time` the time), with the loss of the problem and the diagnostics of gradient descent, and
/// the phases are read off it the same way.
public enum GradientFlow {
    /// The perturbation E of the flow.
    public enum Perturbation: Sendable {
        case `operator`
        case none
        /// E(t, U, V), an n1 × n2 matrix (V is U for the symmetric parameterization); nil stops
        /// the flow (stop reason `.callback`); a thrown error ends the call with it. `@Sendable`:
        /// it runs on the thread of the integration (another one for the `async` overload).
        case custom(@Sendable (Double, Matrix, Matrix) throws(FactorSenseError) -> Matrix?)
    }

    /// The Runge–Kutta pair.
    public enum Method: String, Sendable, CaseIterable {
        /// Dormand–Prince 5(4) (`DormandPrince`): 6 evaluations a step; scipy's "RK45".
        case dormandPrince54 = "rk45"
        /// DOP853 (`DormandPrince853`): 12 evaluations a step, 3 more for a step with requested
        /// times; fewer steps at tight tolerances; scipy's "DOP853".
        case dormandPrince853 = "dop853"
    }

    /// What the integration is asked for.
    public struct Settings: Sendable {
        /// The times of the history's rows: t₀ ≥ 0, strictly increasing; the flow starts at t₀.
        public var times: [Double]
        /// Relative and absolute error tolerances of each step, > 0.
        public var rtol = 1e-8
        public var atol = 1e-10
        /// The most right-hand-side evaluations (stop reason `.maxIterations` beyond).
        public var maxEvaluations = 1_000_000
        public var perturbation: Perturbation = .operator
        public var method: Method = .dormandPrince54

        public init(times: [Double], rtol: Double = 1e-8, atol: Double = 1e-10, maxEvaluations: Int = 1_000_000,
                    perturbation: Perturbation = .operator, method: Method = .dormandPrince54) {
            self.times = times
            self.rtol = rtol
            self.atol = atol
            self.maxEvaluations = maxEvaluations
            self.perturbation = perturbation
            self.method = method
        }

        /// Refuses settings the integration cannot take.
        func validate(for problem: SensingProblem) throws(FactorSenseError) {
            guard !times.isEmpty else { throw FactorSenseError(.invalidArgument, "times is empty: give at least one time") }
            if let bad = times.firstIndex(where: { !$0.isFinite }) {
                throw FactorSenseError(.notFinite, "times[\(bad)] is \(times[bad]): times must be finite")
            }
            guard times[0] >= 0 else { throw FactorSenseError(.invalidArgument, "times[0] is \(times[0]): times must be ≥ 0") }
            if let bad = times.indices.dropFirst().first(where: { times[$0] <= times[$0 - 1] }) {
                throw FactorSenseError(.invalidArgument,
                    "times must increase strictly: times[\(bad)] = \(times[bad]) follows \(times[bad - 1])")
            }
            for (value, name) in [(rtol, "rtol"), (atol, "atol")] {
                guard value.isFinite else { throw FactorSenseError(.notFinite, "\(name) must be finite, got \(value)") }
                guard value > 0 else { throw FactorSenseError(.invalidArgument, "\(name) must be > 0, got \(value)") }
            }
            // Below 100ε a relative error cannot be met in double precision (scipy's solve_ivp
            // raises such an rtol to 100ε); at rtol = atol = 1e-300 the scaled error norms
            // overflowed and the flow ended "diverged" before its first step.
            guard rtol >= 100 * Double.ulpOfOne else {
                throw FactorSenseError(.invalidArgument,
                    "rtol must be ≥ 100·ε = \(100 * Double.ulpOfOne) (a relative error below double precision's cannot be met), got \(rtol)")
            }
            guard maxEvaluations >= 1 else {
                throw FactorSenseError(.invalidArgument, "max_evaluations must be ≥ 1, got \(maxEvaluations)")
            }
            if case .operator = perturbation { return }
            guard problem.groundTruth != nil else {
                throw FactorSenseError(.invalidArgument,
                    "the population flow (perturbation \"none\" or your own) needs X⋆, and this problem has no truth")
            }
        }
    }

    /// Integrates the flow of `problem` from the initial factors `options` give (width, init,
    /// init_scale, seed, or your U₀, V₀), recording the history (`options.diagnostics`) at
    /// `settings.times`. The result holds the factors of the last recorded row, and the
    /// integration's counts in `flowStatistics`. Stop reasons: `.endTime` (the last time was
    /// reached), `.maxIterations` (the evaluation budget), `.diverged` (a non-finite value),
    /// `.stepSizeUnderflow`, `.callback` (the progress handler or the perturbation stopped it),
    /// `.interrupted`.
    ///
    /// - Throws: the refusals of `Settings` and of gradient descent's options and initial
    ///   factors; `.invalidArgument` for a variant of gradient descent the flow has no
    ///   counterpart of, and for `balancing` or `ridge` in a population flow; `.sizeMismatch` or `.notFinite` for a perturbation of the wrong shape or with
    ///   a non-finite entry; any error the perturbation throws; `.interrupted` when a stop is
    ///   requested before the first row was recorded.
    public static func run(_ problem: SensingProblem, options: GradientDescentOptions, settings: Settings,
                           progress: GradientDescent.ProgressHandler? = nil,
                           stop: StopRequest? = nil) throws(FactorSenseError) -> GradientDescentResult {
        try options.validate()
        try refuseDescentVariants(options)
        try refuseRegularizers(options, settings.perturbation)
        try settings.validate(for: problem)
        let k = try InitialFactors.width(options, for: problem)
        try MemoryBudget.require(try PeakMemory.flow(problem, options: options, width: k),
                                 for: "the gradient flow of the \(problem.rows) × \(problem.columns) problem at width \(k)")
        return try StopRequest.watching(stop) { () throws(FactorSenseError) in
            let start = try InitialFactors.resolve(options, for: problem)
            let recorder = try TrajectoryRecorder(problem: problem, options: options, width: k)
            var flow = try FlowRun(problem: problem, options: options, settings: settings, recorder: recorder, progress: progress)
            return try flow.integrate(from: start.U, start.V)
        }
    }
}

extension GradientFlow {
    /// Refuses the options of gradient descent's variants, which the flow has no counterpart
    /// of: a preconditioner, injected noise, mini-batches, the automatic step, and the
    /// validation rules (`patience`, `restoreBest`) — rather than ignore them. The balancing
    /// regularizer and the ridge are terms of the objective, so the flow follows them.
    static func refuseDescentVariants(_ options: GradientDescentOptions) throws(FactorSenseError) {
        let used: [(Bool, String)] = [
            (options.preconditioner != .none, "preconditioner \"\(options.preconditioner.rawValue)\""),
            (options.noiseInjection != 0, "noise_injection \(options.noiseInjection)"),
            (options.batchSize != 0, "batch_size \(options.batchSize)"),
            (options.stepRule != .fixed, "step_rule \"\(options.stepRule.rawValue)\""),
            (options.patience != 0, "patience \(options.patience)"),
            (options.restoreBest, "restore_best"),
        ]
        if let (_, name) = used.first(where: { $0.0 }) {
            throw FactorSenseError(.invalidArgument,
                "the gradient flow has no \(name): that is a variant of gradient descent (the flow follows the loss, with its balancing and ridge terms; it has no step, batches, noise, preconditioner or validation rules)")
        }
    }

    /// Refuses `balancing` and `ridge` in a population flow (perturbation `.none` or `.custom`):
    /// it follows ½‖UVᵀ − X⋆‖²_F (plus the caller's E), which has no such terms; only the
    /// `.operator` flow is −∇ of the regularized objective.
    static func refuseRegularizers(_ options: GradientDescentOptions, _ perturbation: Perturbation) throws(FactorSenseError) {
        if case .operator = perturbation { return }
        for (name, value) in [("balancing", options.balancing), ("ridge", options.ridge)] where value != 0 {
            throw FactorSenseError(.invalidArgument,
                "\(name) \(value), but the population flow (perturbation \"none\" or your own) follows ½‖UVᵀ − X⋆‖²_F, which has no \(name) term; set \(name) to 0, or use the perturbation \"operator\" (−∇ of the regularized loss)")
        }
    }
}

extension PeakMemory {
    /// A gradient-descent run's needs plus the integrator's: nine state-sized vectors (y, the
    /// seven stages, the error estimate) and, for the population flow, X⋆ and D as dense n1 × n2.
    static func flow(_ problem: SensingProblem, options: GradientDescentOptions, width k: Int) throws(FactorSenseError) -> [Need] {
        var ledger = Ledger()
        ledger.append(try run(problem, options: options, width: k, validation: nil))
        try ledger.doubles("the integrator's stages (9 · (n1 + n2) · width)", 9, plus(problem.rows, problem.columns), k)
        try ledger.doubles("X⋆ and D of the population flow (3 · n1 · n2)", 3, problem.rows, problem.columns)
        return ledger.needs
    }
}
