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

    public init() {}

    /// The names of the integer options, as the C and Python layers spell them.
    public static let integerNames = ["width", "max_iter", "seed", "record_every", "window", "batch_size",
                                      "singular_value_count", "rank"]
    /// The names of the real options, as the C and Python layers spell them.
    public static let realNames = ["init_scale", "step", "tol", "loss_tol", "divergence_factor",
                                   "balancing", "noise_injection", "scaled_damping"] + PhaseThresholds.names
    /// The names of the text options, as the C and Python layers spell them.
    public static let textNames = ["init", "preconditioner", "diagnostics"]

    /// Sets the integer option `name` to `value` after checking its domain.
    public mutating func setInteger(_ name: String, _ value: Int64) throws(FactorSenseError) {
        let v = Int(value)
        switch name {
        case "width": width = try Self.atLeast(1, v, name)
        case "max_iter": maxIterations = try Self.atLeast(0, v, name)
        case "seed": seed = UInt64(bitPattern: value)
        case "record_every": recordEvery = try Self.atLeast(1, v, name)
        case "window": window = try Self.atLeast(1, v, name)
        case "batch_size": batchSize = try Self.atLeast(0, v, name)
        case "singular_value_count": singularValueCount = try Self.atLeast(0, v, name) == 0 ? nil : v
        case "rank": diagnosticRank = try Self.atLeast(0, v, name) == 0 ? nil : v
        default: throw Self.unknown(name, Self.integerNames)
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
        default: throw Self.unknown(name, Self.integerNames)
        }
    }

    /// Sets the real option `name` to `value` after checking it is finite and in its domain.
    public mutating func setReal(_ name: String, _ value: Double) throws(FactorSenseError) {
        guard Self.realNames.contains(name) else { throw Self.unknown(name, Self.realNames) }
        guard value.isFinite else { throw FactorSenseError(.notFinite, "\(name) must be finite, got \(value)") }
        switch name {
        case "init_scale": initScale = try Self.positive(value, name)
        case "step": step = try Self.positive(value, name)
        case "tol": tolerance = try Self.nonNegative(value, name)
        case "loss_tol": lossTolerance = try Self.nonNegative(value, name)
        case "balancing": balancing = try Self.nonNegative(value, name)
        case "noise_injection": noiseInjection = try Self.nonNegative(value, name)
        case "scaled_damping": scaledDamping = try Self.nonNegative(value, name)
        case "alignment_threshold": phaseThresholds.alignment = try Self.fraction(value, name)
        case "saddle_fraction": phaseThresholds.saddleFraction = try Self.fraction(value, name)
        case "plateau_tolerance": phaseThresholds.plateauTolerance = try Self.fraction(value, name)
        case "plateau_window": phaseThresholds.plateauWindow = try Self.fraction(value, name)
        default:
            guard value > 1 else { throw FactorSenseError(.invalidArgument, "divergence_factor must be > 1, got \(value)") }
            divergenceFactor = value
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
        case "alignment_threshold": return phaseThresholds.alignment
        case "saddle_fraction": return phaseThresholds.saddleFraction
        case "plateau_tolerance": return phaseThresholds.plateauTolerance
        case "plateau_window": return phaseThresholds.plateauWindow
        default: throw Self.unknown(name, Self.realNames)
        }
    }

    /// Sets the text option `name`: "init" is "random" or "spectral"; "preconditioner" is
    /// "none" or "scaled"; "diagnostics" is "default", "all", "none" or names separated by commas.
    public mutating func setText(_ name: String, _ value: String) throws(FactorSenseError) {
        switch name {
        case "init": initialization = try Self.choice(Initialization.self, value, name)
        case "preconditioner": preconditioner = try Self.choice(Preconditioner.self, value, name)
        case "diagnostics": diagnostics = try Diagnostic.parse(value)
        default: throw Self.unknown(name, Self.textNames)
        }
    }

    /// The text option `name`.
    public func text(_ name: String) throws(FactorSenseError) -> String {
        switch name {
        case "init": return initialization.rawValue
        case "preconditioner": return preconditioner.rawValue
        case "diagnostics": return diagnostics.text
        default: throw Self.unknown(name, Self.textNames)
        }
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ value: String, _ name: String) throws(FactorSenseError) -> T
    where T.RawValue == String {
        guard let choice = T(rawValue: value) else {
            let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw FactorSenseError(.invalidArgument, "\(name) must be one of \(names), got \"\(value)\"")
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
            "unknown option \"\(name)\"\(hint); the options of this type are \(names.joined(separator: ", "))")
    }
}
