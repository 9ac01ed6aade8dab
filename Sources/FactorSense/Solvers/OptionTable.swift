/// One option of `GradientDescentOptions` as the C and Python layers name it: its type, domain,
/// default and a one-line summary, and how it is read and written. `GradientDescentOptions.table`
/// lists every option once; the named setters and getters (`setInteger`, `real`, …) and
/// `validate()` are that table, C's `fs_options_describe` reads it, and Python builds its keyword
/// handling from it — so a new option is one entry here.
public struct OptionDescriptor: Sendable {
    /// The type of an option's value.
    public enum Kind: String, Sendable, CaseIterable {
        /// A 64-bit integer (`fs_options_set_int`).
        case integer
        /// A finite double (`fs_options_set_real`).
        case real
        /// A C string (`fs_options_set_text`).
        case text
    }

    /// The values an option takes.
    public enum Domain: Sendable, Equatable {
        /// An integer ≥ the bound.
        case atLeast(Int)
        /// An integer 0 or 1.
        case flag
        /// Every 64-bit pattern (a seed).
        case anyBits
        /// A real > 0.
        case positive
        /// A real ≥ 0.
        case nonNegative
        /// A real in (0, 1).
        case openUnitInterval
        /// A real > 1.
        case aboveOne
        /// One of these texts.
        case choices([String])
        /// "default", "all", "none" or diagnostic names separated by commas.
        case diagnosticList

        /// The domain as the documentation writes it.
        public var text: String {
            switch self {
            case .atLeast(let bound): "≥ \(bound)"
            case .flag: "0 or 1"
            case .anyBits: "any 64-bit value"
            case .positive: "> 0"
            case .nonNegative: "≥ 0"
            case .openUnitInterval: "in (0, 1)"
            case .aboveOne: "> 1"
            case .choices(let names): names.map { "\"\($0)\"" }.joined(separator: ", ")
            case .diagnosticList: "\"default\", \"all\", \"none\" or names separated by commas"
            }
        }
    }

    /// How the option is read from and written to `GradientDescentOptions`. An integer reads as
    /// nil while unset (width); a text is parsed by its setter.
    enum Access: Sendable {
        case integer(get: @Sendable (GradientDescentOptions) -> Int64?,
                     set: @Sendable (inout GradientDescentOptions, Int64) -> Void)
        case real(WritableKeyPath<GradientDescentOptions, Double> & Sendable)
        case text(get: @Sendable (GradientDescentOptions) -> String,
                  set: @Sendable (inout GradientDescentOptions, String) throws(FactorSenseError) -> Void)
    }

    /// The name, as C and Python spell it ("max_iter").
    public let name: String
    /// What it sets, in one line.
    public let summary: String
    /// The values it takes.
    public let domain: Domain
    let access: Access

    /// The type of its value.
    public var kind: Kind {
        switch access {
        case .integer: .integer
        case .real: .real
        case .text: .text
        }
    }

    /// Its value in a fresh `GradientDescentOptions`, as text ("1000", "0.001", "random"; an
    /// integer that starts unset reads "0").
    public var defaultText: String { valueText(GradientDescentOptions()) }

    /// Its value in `options`, as text.
    func valueText(_ options: GradientDescentOptions) -> String {
        switch access {
        case .integer(let get, _): String(get(options) ?? 0)
        case .real(let path): "\(options[keyPath: path])"
        case .text(let get, _): get(options)
        }
    }

    /// Checks an integer against the domain.
    func check(_ value: Int64) throws(FactorSenseError) {
        switch domain {
        case .atLeast(let bound) where value < Int64(bound):
            throw FactorSenseError(.invalidArgument, "\(name) must be ≥ \(bound), got \(value)")
        case .flag where value != 0 && value != 1:
            throw FactorSenseError(.invalidArgument, "\(name) must be 0 or 1, got \(value)")
        default: break
        }
    }

    /// Checks a real: finite, and in the domain.
    func check(_ value: Double) throws(FactorSenseError) {
        guard value.isFinite else { throw FactorSenseError(.notFinite, "\(name) must be finite, got \(value)") }
        let inside = switch domain {
        case .positive: value > 0
        case .nonNegative: value >= 0
        case .openUnitInterval: value > 0 && value < 1
        case .aboveOne: value > 1
        default: true
        }
        let phrase = domain == .openUnitInterval ? "lie in (0, 1)" : "be \(domain.text)"
        guard inside else { throw FactorSenseError(.invalidArgument, "\(name) must \(phrase), got \(value)") }
    }

    /// Checks the option's current value in `options` (an unset integer passes).
    func checkValue(in options: GradientDescentOptions) throws(FactorSenseError) {
        switch access {
        case .integer(let get, _): if let value = get(options) { try check(value) }
        case .real(let path): try check(options[keyPath: path])
        case .text: break  // its setter parsed it
        }
    }
}

extension GradientDescentOptions {
    /// Every option, in the order the header lists them.
    public static let table: [OptionDescriptor] = [
        integer("width", "k, the columns of U and V (unset: required unless initial factors are given)", .atLeast(1),
                get: { $0.width.map(Int64.init) }, set: { $0.width = Int($1) }),
        integer("max_iter", "the iteration limit", .atLeast(0),
                get: { Int64($0.maxIterations) }, set: { $0.maxIterations = Int($1) }),
        integer("seed", "the seed of the random start (and of mini-batches and injected noise)", .anyBits,
                get: { Int64(bitPattern: $0.seed) }, set: { $0.seed = UInt64(bitPattern: $1) }),
        integer("record_every", "record the history every this many iterations (the first and last always)", .atLeast(1),
                get: { Int64($0.recordEvery) }, set: { $0.recordEvery = Int($1) }),
        integer("window", "w of the relative-change stop rule", .atLeast(1),
                get: { Int64($0.window) }, set: { $0.window = Int($1) }),
        integer("batch_size", "b measurements per step (mini-batch SGD, scaled by m/b); 0: all", .atLeast(0),
                get: { Int64($0.batchSize) }, set: { $0.batchSize = Int($1) }),
        integer("singular_value_count", "c, the singular values of X recorded a row; 0: min(n1, n2, k), at most 50", .atLeast(0),
                get: { Int64($0.singularValueCount ?? 0) }, set: { $0.singularValueCount = $1 == 0 ? nil : Int($1) }),
        integer("rank", "r of the spectral alignment; 0: the truth's", .atLeast(0),
                get: { Int64($0.diagnosticRank ?? 0) }, set: { $0.diagnosticRank = $1 == 0 ? nil : Int($1) }),
        integer("patience", "stop when the validation error has not improved for this many records; 0: off", .atLeast(0),
                get: { Int64($0.patience) }, set: { $0.patience = Int($1) }),
        integer("restore_best", "1: end with the factors of least validation error", .flag,
                get: { $0.restoreBest ? 1 : 0 }, set: { $0.restoreBest = $1 == 1 }),
        real("init_scale", "α of the random start U₀ = (α/√k)·N(0, 1)", .positive, \.initScale),
        real("init_ratio", "β/α: V₀ = (β/√k)·N(0, 1) with β = init_ratio·α (an unbalanced random start)", .positive, \.initRatio),
        real("step", "η, the step size", .positive, \.step),
        real("tol", "converged when |f_t − f_{t−w}| ≤ tol·f_{t−w}; 0: off", .nonNegative, \.tolerance),
        real("loss_tol", "converged when f_t ≤ loss_tol; 0: off", .nonNegative, \.lossTolerance),
        real("divergence_factor", "diverged when f_t > divergence_factor·f₀", .aboveOne, \.divergenceFactor),
        real("balancing", "λ of the balancing regularizer (λ/8)‖UᵀU − VᵀV‖²_F", .nonNegative, \.balancing),
        real("noise_injection", "τ: τ·N(0, 1) added to every factor entry after each step", .nonNegative, \.noiseInjection),
        real("scaled_damping", "λ of ScaledGD's (VᵀV + λI)⁻¹", .nonNegative, \.scaledDamping),
        real("ridge", "μ of the ridge (μ/2)(‖U‖²_F + ‖V‖²_F)", .nonNegative, \.ridge),
        real("alignment_threshold", "τ of the end of phase (I): spectral sine ≤ τ", .openUnitInterval, \.phaseThresholds.alignment),
        real("saddle_fraction", "the end of (II) and the learning times: σ_i(X) ≥ fraction·s⋆_i", .openUnitInterval,
             \.phaseThresholds.saddleFraction),
        real("plateau_tolerance", "the plateau: less than this relative improvement over the window", .openUnitInterval,
             \.phaseThresholds.plateauTolerance),
        real("plateau_window", "the plateau's window, a fraction of the run", .openUnitInterval, \.phaseThresholds.plateauWindow),
        real("recovery_threshold", "a run recovers when its final test error (residual) is at most this", .openUnitInterval,
             \.phaseThresholds.recovery),
        text("init", "how the factors start", GradientDescentOptions.Initialization.self,
             get: { $0.initialization }, set: { $0.initialization = $1 }),
        text("preconditioner", "\"scaled\": ScaledGD", GradientDescentOptions.Preconditioner.self,
             get: { $0.preconditioner }, set: { $0.preconditioner = $1 }),
        OptionDescriptor(name: "diagnostics", summary: "what the history records beside the standard columns",
                         domain: .diagnosticList,
                         access: .text(get: { $0.diagnostics.text }, set: { (o, v) throws(FactorSenseError) in o.diagnostics = try Diagnostic.parse(v) })),
        text("step_rule", "\"auto\": the Armijo rule from η₀ = 1/L̂", GradientDescentOptions.StepRule.self,
             get: { $0.stepRule }, set: { $0.stepRule = $1 }),
        text("spectral_method", "how the top pairs of 𝒜*(y) are computed", SpectralMethod.self,
             get: { $0.spectralMethod }, set: { $0.spectralMethod = $1 }),
    ]

    /// The names of the options of `kind`, in table order.
    public static func names(of kind: OptionDescriptor.Kind) -> [String] {
        table.filter { $0.kind == kind }.map(\.name)
    }

    /// The names of the integer options, as the C and Python layers spell them.
    public static var integerNames: [String] { names(of: .integer) }
    /// The names of the real options.
    public static var realNames: [String] { names(of: .real) }
    /// The names of the text options.
    public static var textNames: [String] { names(of: .text) }

    /// The descriptor of option `name`, which must be of `kind`.
    ///
    /// - Throws: `.invalidArgument` for an unknown name, or one of another type, listing the
    ///   options of `kind`.
    public static func descriptor(_ name: String, _ kind: OptionDescriptor.Kind) throws(FactorSenseError) -> OptionDescriptor {
        guard let found = table.first(where: { $0.name == name }), found.kind == kind else {
            let hint = table.contains { $0.name == name } ? " (it is an option of another type)" : ""
            throw FactorSenseError(.invalidArgument,
                "unknown option \(FactorSenseError.quoted(name))\(hint); the options of this type are \(names(of: kind).joined(separator: ", "))")
        }
        return found
    }

    private static func integer(_ name: String, _ summary: String, _ domain: OptionDescriptor.Domain,
                                get: @escaping @Sendable (GradientDescentOptions) -> Int64?,
                                set: @escaping @Sendable (inout GradientDescentOptions, Int64) -> Void) -> OptionDescriptor {
        OptionDescriptor(name: name, summary: summary, domain: domain, access: .integer(get: get, set: set))
    }

    private static func real(_ name: String, _ summary: String, _ domain: OptionDescriptor.Domain,
                             _ path: WritableKeyPath<GradientDescentOptions, Double> & Sendable) -> OptionDescriptor {
        OptionDescriptor(name: name, summary: summary, domain: domain, access: .real(path))
    }

    /// A text option whose values are the raw values of `Choice`.
    private static func text<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ summary: String, _ type: Choice.Type,
        get: @escaping @Sendable (GradientDescentOptions) -> Choice,
        set: @escaping @Sendable (inout GradientDescentOptions, Choice) -> Void
    ) -> OptionDescriptor where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        return OptionDescriptor(name: name, summary: summary, domain: .choices(names), access: .text(
            get: { get($0).rawValue },
            set: { (options, value) throws(FactorSenseError) in
                guard let choice = Choice(rawValue: value) else {
                    throw FactorSenseError(.invalidArgument,
                        "\(name) must be one of \(names.map { "\"\($0)\"" }.joined(separator: ", ")), got \(FactorSenseError.quoted(value))")
                }
                set(&options, choice)
            }))
    }
}
