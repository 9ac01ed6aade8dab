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
    ///   for `patience` or `restoreBest` without a validation set, for the automatic step
    ///   with mini-batches or noise injection, and for `balancing` > 0 on a PSD problem (X = UUᵀ
    ///   is balanced by construction; the regularizer would be silently zero).
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
            var run = GradientDescentRun(problem: problem, options: options, progress: progress, recorder: recorder, U: start.U, V: start.V,
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
        if options.balancing > 0 && problem.parameterization == .symmetric {
            throw FactorSenseError(.invalidArgument,
                "balancing \(options.balancing) applies to X = UVᵀ (it penalizes ‖UᵀU − VᵀV‖²_F); a PSD problem's X = UUᵀ "
                + "is balanced by construction: use balancing 0")
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
