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
    /// β/α of an unbalanced small random start: V₀ = (β/√k)·N(0,1)^{n2×k} with β = initRatio·α
    /// (> 0; asymmetric problems, `initialization` `.smallRandom`). At 1, U₀ and V₀ are drawn
    /// alike; otherwise the start is unbalanced, E[U₀ᵀU₀ − V₀ᵀV₀] = (α²/k)(n1 − initRatio²·n2)·I,
    /// the setting of implicit balancing (docs/mathematics.md, "Initializations").
    public var initRatio = 1.0
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

    /// Sets the integer option `name` to `value` after checking its domain (`table`).
    public mutating func setInteger(_ name: String, _ value: Int64) throws(FactorSenseError) {
        let option = try Self.descriptor(name, .integer)
        try option.check(value)
        if case .integer(_, let set) = option.access { set(&self, value) }
    }

    /// The integer option `name` (width is 0 while unset; the seed reads back as its bit pattern).
    public func integer(_ name: String) throws(FactorSenseError) -> Int64 {
        guard case .integer(let get, _) = try Self.descriptor(name, .integer).access else { return 0 }
        return get(self) ?? 0
    }

    /// Sets the real option `name` to `value` after checking it is finite and in its domain.
    public mutating func setReal(_ name: String, _ value: Double) throws(FactorSenseError) {
        let option = try Self.descriptor(name, .real)
        try option.check(value)
        if case .real(let path) = option.access { self[keyPath: path] = value }
    }

    /// The real option `name`.
    public func real(_ name: String) throws(FactorSenseError) -> Double {
        guard case .real(let path) = try Self.descriptor(name, .real).access else { return .nan }
        return self[keyPath: path]
    }

    /// Sets the text option `name`: "init" is "random" or "spectral"; "preconditioner" is
    /// "none" or "scaled"; "diagnostics" is "default", "all", "none" or names separated by commas;
    /// "step_rule" is "fixed" or "auto"; "spectral_method" is "auto", "dense" or "iterative".
    public mutating func setText(_ name: String, _ value: String) throws(FactorSenseError) {
        if case .text(_, let set) = try Self.descriptor(name, .text).access { try set(&self, value) }
    }

    /// The text option `name`.
    public func text(_ name: String) throws(FactorSenseError) -> String {
        guard case .text(let get, _) = try Self.descriptor(name, .text).access else { return "" }
        return get(self)
    }

    /// Checks every field against the domain its setter enforces — the same checks, so that
    /// options whose properties were set directly are refused exactly as `setInteger` and
    /// `setReal` would refuse the values. `GradientDescent.run` calls it first.
    ///
    /// - Throws: `.invalidArgument` for a value outside its domain, `.notFinite` for a NaN or
    ///   infinite real, naming the option as the C and Python layers spell it.
    public func validate() throws(FactorSenseError) {
        for option in Self.table { try option.checkValue(in: self) }
    }
}
