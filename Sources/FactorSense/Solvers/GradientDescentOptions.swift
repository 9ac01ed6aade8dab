/// The settings of factorized gradient descent, with the defaults of `include/factorsense.h`.
public struct GradientDescentOptions: Sendable, Equatable {
    /// k, the columns of U and V; nil until set (required unless `initialFactors` are given).
    public var width: Int?
    /// The iteration limit (≥ 0).
    public var maxIterations = 1000
    /// The seed of the small random initialization.
    public var seed: UInt64 = 0
    /// Record the history every this many iterations (≥ 1); the first and last iterate always.
    public var recordEvery = 1
    /// The window w of the relative-change stop rule (≥ 1).
    public var window = 100
    /// α of U₀ = (α/√k)·N(0,1)^{n1×k}, V₀ = (α/√k)·N(0,1)^{n2×k} (> 0).
    public var initScale = 1e-3
    /// The step size η (> 0).
    public var step = 0.1
    /// Stop as converged when |f_t − f_{t−w}| ≤ tol · f_{t−w}; 0 turns the rule off.
    public var tolerance = 0.0
    /// Stop as converged when f_t ≤ lossTolerance; 0 turns the rule off.
    public var lossTolerance = 0.0
    /// Stop as diverged when f_t > divergenceFactor · f₀ (> 1).
    public var divergenceFactor = 1e8
    /// The caller's U₀, V₀, replacing `initialization`.
    public var initialFactors: InitialFactors?
    /// How the factors start when no `initialFactors` are given.
    public var initialization: Initialization = .smallRandom
    /// λ ≥ 0 of the balancing regularizer (λ/8)‖UᵀU − VᵀV‖²_F (asymmetric problems).
    public var balancing = 0.0
    /// μ ≥ 0 of the ridge (μ/2)(‖U‖²_F + ‖V‖²_F) on the factors ((μ/2)‖U‖²_F for PSD);
    /// docs/completion.md, "Ridge".
    public var ridge = 0.0
    /// τ ≥ 0: after each step every factor entry gets τ·N(0, 1) added (perturbed GD).
    public var noiseInjection = 0.0
    /// How each gradient step is preconditioned.
    public var preconditioner: Preconditioner = .none
    /// λ ≥ 0 of ScaledGD's (VᵀV + λI)⁻¹ and (UᵀU + λI)⁻¹.
    public var scaledDamping = 0.0
    /// b: each step uses the gradient of b measurements drawn without replacement, scaled by
    /// m/b (mini-batch SGD); 0 (or b ≥ m) uses all of them.
    public var batchSize = 0
    /// The diagnostics recorded beside the standard columns (`Diagnostic.defaultSet` unless chosen).
    public var diagnostics: DiagnosticSelection = .default
    /// c, the singular values of X recorded a row; nil: all min(n1, n2, k) of them, at most
    /// `defaultSingularValueCount`. At most min(n1, n2, k).
    public var singularValueCount: Int?
    /// r of the alignment to the spectral subspace of 𝒜*(y); nil: the truth's rank (without a
    /// truth the spectral alignment is then NaN).
    public var diagnosticRank: Int?
    /// The thresholds of phase detection.
    public var phaseThresholds = PhaseThresholds()
    /// Stop as early-stopped when the validation error has not improved for this many recorded
    /// iterates (needs a validation set); 0 turns the rule off.
    public var patience = 0
    /// End with the factors of the recorded iterate of least validation error (needs a
    /// validation set); the history still ends at the last iterate.
    public var restoreBest = false
    /// How the step size is chosen: the fixed `step`, or the automatic rule.
    public var stepRule: StepRule = .fixed
    /// How the top pairs of 𝒜*(y) are computed for the spectral initialization and the spectral
    /// alignment (`SpectralMethod`; "spectral_method").
    public var spectralMethod: SpectralMethod = .auto

    /// The most singular values recorded a row unless `singularValueCount` says otherwise.
    public static let defaultSingularValueCount = 50

    /// How a run's factors start.
    public enum Initialization: String, Sendable, Equatable, CaseIterable {
        /// U₀ = (α/√k)·N(0,1)^{n1×k}, V₀ = (α/√k)·N(0,1)^{n2×k}.
        case smallRandom = "random"
        /// The top-k SVD (eigenpairs, for PSD) of 𝒜*(y): U₀ = P S^{1/2}, V₀ = Q S^{1/2}.
        case spectral
    }

    /// The preconditioning of a step.
    public enum Preconditioner: String, Sendable, Equatable, CaseIterable {
        /// Plain gradient descent.
        case none
        /// ScaledGD: U⁺ = U − η ∇_U f (VᵀV + λI)⁻¹, V⁺ = V − η ∇_V f (UᵀU + λI)⁻¹.
        case scaled
    }

    /// How the step size of each iteration is chosen (docs/completion.md, "Automatic step").
    public enum StepRule: String, Sendable, Equatable, CaseIterable {
        /// η = `step` at every iteration.
        case fixed
        /// η₀ = 1/L̂ from power iterations on the Hessian at the start, then Armijo
        /// backtracking: halve η until f(x − ηd) ≤ f(x) − c·η⟨∇f, d⟩, grow it by 1.1 after each
        /// accepted step. Needs full gradients and no noise injection.
        case auto
    }

    public init() {}

    /// The names of the integer options, as the C and Python layers spell them.
    public static let integerNames = ["width", "max_iter", "seed", "record_every", "window", "batch_size",
                                      "singular_value_count", "rank", "patience", "restore_best"]
    /// The names of the real options, as the C and Python layers spell them.
    public static let realNames = ["init_scale", "step", "tol", "loss_tol", "divergence_factor",
                                   "balancing", "noise_injection", "scaled_damping", "ridge"] + PhaseThresholds.names
    /// The names of the text options, as the C and Python layers spell them.
    public static let textNames = ["init", "preconditioner", "diagnostics", "step_rule", "spectral_method"]

    /// Sets the integer option `name` to `value` after checking its domain.
    public mutating func setInteger(_ name: String, _ value: Int64) throws(FactorSenseError) {
        let v = Int(value)
        guard Self.integerNames.contains(name) else { throw Self.unknown(name, Self.integerNames) }
        try Self.checkInteger(name, v)
        switch name {
        case "width": width = v
        case "max_iter": maxIterations = v
        case "seed": seed = UInt64(bitPattern: value)
        case "record_every": recordEvery = v
        case "window": window = v
        case "batch_size": batchSize = v
        case "singular_value_count": singularValueCount = v == 0 ? nil : v
        case "patience": patience = v
        case "restore_best": restoreBest = v == 1
        default: diagnosticRank = v == 0 ? nil : v
        }
    }

    /// The integer option `name` (width is 0 while unset; the seed reads back as its bit pattern).
    public func integer(_ name: String) throws(FactorSenseError) -> Int64 {
        switch name {
        case "width": return Int64(width ?? 0)
        case "max_iter": return Int64(maxIterations)
        case "seed": return Int64(bitPattern: seed)
        case "record_every": return Int64(recordEvery)
        case "window": return Int64(window)
        case "batch_size": return Int64(batchSize)
        case "singular_value_count": return Int64(singularValueCount ?? 0)
        case "rank": return Int64(diagnosticRank ?? 0)
        case "patience": return Int64(patience)
        case "restore_best": return restoreBest ? 1 : 0
        default: throw Self.unknown(name, Self.integerNames)
        }
    }

    /// Sets the real option `name` to `value` after checking it is finite and in its domain.
    public mutating func setReal(_ name: String, _ value: Double) throws(FactorSenseError) {
        guard Self.realNames.contains(name) else { throw Self.unknown(name, Self.realNames) }
        try Self.checkReal(name, value)
        switch name {
        case "init_scale": initScale = value
        case "step": step = value
        case "tol": tolerance = value
        case "loss_tol": lossTolerance = value
        case "balancing": balancing = value
        case "noise_injection": noiseInjection = value
        case "scaled_damping": scaledDamping = value
        case "ridge": ridge = value
        case "alignment_threshold": phaseThresholds.alignment = value
        case "saddle_fraction": phaseThresholds.saddleFraction = value
        case "plateau_tolerance": phaseThresholds.plateauTolerance = value
        case "plateau_window": phaseThresholds.plateauWindow = value
        case "recovery_threshold": phaseThresholds.recovery = value
        default: divergenceFactor = value
        }
    }

    /// Checks every field against the domain its setter enforces — the same checks, so that
    /// options whose properties were set directly are refused exactly as `setInteger` and
    /// `setReal` would refuse the values. `GradientDescent.run` calls it first.
    ///
    /// - Throws: `.invalidArgument` for a value outside its domain, `.notFinite` for a NaN or
    ///   infinite real, naming the option as the C and Python layers spell it.
    public func validate() throws(FactorSenseError) {
        if let width { try Self.checkInteger("width", width) }
        for (name, value) in [("max_iter", maxIterations), ("record_every", recordEvery), ("window", window),
                              ("batch_size", batchSize), ("singular_value_count", singularValueCount ?? 0),
                              ("rank", diagnosticRank ?? 0), ("patience", patience)] {
            try Self.checkInteger(name, value)
        }
        for (name, value) in [("init_scale", initScale), ("step", step), ("tol", tolerance),
                              ("loss_tol", lossTolerance), ("divergence_factor", divergenceFactor),
                              ("balancing", balancing), ("noise_injection", noiseInjection),
                              ("scaled_damping", scaledDamping), ("ridge", ridge), ("alignment_threshold", phaseThresholds.alignment),
                              ("saddle_fraction", phaseThresholds.saddleFraction),
                              ("plateau_tolerance", phaseThresholds.plateauTolerance),
                              ("plateau_window", phaseThresholds.plateauWindow),
                              ("recovery_threshold", phaseThresholds.recovery)] {
            try Self.checkReal(name, value)
        }
    }

    /// The domain of each integer option: width, record_every, window ≥ 1; max_iter,
    /// batch_size, singular_value_count, rank, patience ≥ 0; restore_best 0 or 1; every seed is valid.
    static func checkInteger(_ name: String, _ value: Int) throws(FactorSenseError) {
        switch name {
        case "width", "record_every", "window": _ = try atLeast(1, value, name)
        case "max_iter", "batch_size", "singular_value_count", "rank", "patience": _ = try atLeast(0, value, name)
        case "restore_best":
            guard value == 0 || value == 1 else { throw FactorSenseError(.invalidArgument, "restore_best must be 0 or 1, got \(value)") }
        default: break
        }
    }

    /// The domain of each real option: finite; init_scale, step > 0; divergence_factor > 1;
    /// the phase thresholds in (0, 1); the others ≥ 0.
    static func checkReal(_ name: String, _ value: Double) throws(FactorSenseError) {
        guard value.isFinite else { throw FactorSenseError(.notFinite, "\(name) must be finite, got \(value)") }
        switch name {
        case "init_scale", "step": _ = try positive(value, name)
        case "alignment_threshold", "saddle_fraction", "plateau_tolerance", "plateau_window", "recovery_threshold":
            _ = try fraction(value, name)
        case "divergence_factor":
            guard value > 1 else { throw FactorSenseError(.invalidArgument, "divergence_factor must be > 1, got \(value)") }
        default: _ = try nonNegative(value, name)
        }
    }

    /// The real option `name`.
    public func real(_ name: String) throws(FactorSenseError) -> Double {
        switch name {
        case "init_scale": return initScale
        case "step": return step
        case "tol": return tolerance
        case "loss_tol": return lossTolerance
        case "divergence_factor": return divergenceFactor
        case "balancing": return balancing
        case "noise_injection": return noiseInjection
        case "scaled_damping": return scaledDamping
        case "ridge": return ridge
        case "alignment_threshold": return phaseThresholds.alignment
        case "saddle_fraction": return phaseThresholds.saddleFraction
        case "plateau_tolerance": return phaseThresholds.plateauTolerance
        case "plateau_window": return phaseThresholds.plateauWindow
        case "recovery_threshold": return phaseThresholds.recovery
        default: throw Self.unknown(name, Self.realNames)
        }
    }

    /// Sets the text option `name`: "init" is "random" or "spectral"; "preconditioner" is
    /// "none" or "scaled"; "diagnostics" is "default", "all", "none" or names separated by commas;
    /// "step_rule" is "fixed" or "auto"; "spectral_method" is "auto", "dense" or "iterative".
    public mutating func setText(_ name: String, _ value: String) throws(FactorSenseError) {
        switch name {
        case "init": initialization = try Self.choice(Initialization.self, value, name)
        case "preconditioner": preconditioner = try Self.choice(Preconditioner.self, value, name)
        case "diagnostics": diagnostics = try Diagnostic.parse(value)
        case "step_rule": stepRule = try Self.choice(StepRule.self, value, name)
        case "spectral_method": spectralMethod = try Self.choice(SpectralMethod.self, value, name)
        default: throw Self.unknown(name, Self.textNames)
        }
    }

    /// The text option `name`.
    public func text(_ name: String) throws(FactorSenseError) -> String {
        switch name {
        case "init": return initialization.rawValue
        case "preconditioner": return preconditioner.rawValue
        case "diagnostics": return diagnostics.text
        case "step_rule": return stepRule.rawValue
        case "spectral_method": return spectralMethod.rawValue
        default: throw Self.unknown(name, Self.textNames)
        }
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ value: String, _ name: String) throws(FactorSenseError) -> T
    where T.RawValue == String {
        guard let choice = T(rawValue: value) else {
            let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw FactorSenseError(.invalidArgument, "\(name) must be one of \(names), got \(FactorSenseError.quoted(value))")
        }
        return choice
    }

    private static func atLeast(_ bound: Int, _ value: Int, _ name: String) throws(FactorSenseError) -> Int {
        guard value >= bound else { throw FactorSenseError(.invalidArgument, "\(name) must be ≥ \(bound), got \(value)") }
        return value
    }

    private static func positive(_ value: Double, _ name: String) throws(FactorSenseError) -> Double {
        guard value > 0 else { throw FactorSenseError(.invalidArgument, "\(name) must be > 0, got \(value)") }
        return value
    }

    private static func fraction(_ value: Double, _ name: String) throws(FactorSenseError) -> Double {
        guard value > 0, value < 1 else { throw FactorSenseError(.invalidArgument, "\(name) must lie in (0, 1), got \(value)") }
        return value
    }

    private static func nonNegative(_ value: Double, _ name: String) throws(FactorSenseError) -> Double {
        guard value >= 0 else { throw FactorSenseError(.invalidArgument, "\(name) must be ≥ 0, got \(value)") }
        return value
    }

    private static func unknown(_ name: String, _ names: [String]) -> FactorSenseError {
        let all = integerNames + realNames + textNames
        let hint = all.contains(name) ? " (it is an option of another type)" : ""
        return FactorSenseError(.invalidArgument,
            "unknown option \(FactorSenseError.quoted(name))\(hint); the options of this type are \(names.joined(separator: ", "))")
    }
}
