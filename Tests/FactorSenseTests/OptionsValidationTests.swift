import Testing
@testable import FactorSense

/// Options whose properties a Swift caller set directly are refused by `GradientDescent.run`
/// exactly as the C and text setters refuse the same values, and no public Swift entry point
/// traps on a value the caller chose.
@Suite struct OptionsValidationTests {
    static let problem: SensingProblem = {
        // A fixed small problem; generation cannot fail for these sizes.
        (try? SensingProblem.gaussian(rows: 6, columns: 5, rank: 2, measurements: 40, seed: 1))!
    }()

    static func baseOptions() -> GradientDescentOptions {
        var o = GradientDescentOptions()
        o.width = 3
        o.maxIterations = 5
        return o
    }

    /// The error `run` throws for `options`, or nil when it runs.
    static func runError(_ options: GradientDescentOptions) -> FactorSenseError? {
        do {
            _ = try GradientDescent.run(problem, options: options)
            return nil
        } catch {
            return error
        }
    }

    static var integerFields: [(String, WritableKeyPath<GradientDescentOptions, Int>, [Int])] { [
        ("max_iter", \.maxIterations, [-5, -1, Int.min]),
        ("record_every", \.recordEvery, [0, -1, Int.min]),
        ("window", \.window, [0, -7, Int.min]),
        ("batch_size", \.batchSize, [-1, -40, Int.min]),
    ] }

    static var realFields: [(String, WritableKeyPath<GradientDescentOptions, Double>, [Double])] { [
        ("init_scale", \.initScale, [0, -0.0, -1e-3, .nan, .infinity, -.infinity]),
        ("step", \.step, [0, -0.5, .nan, .infinity, -.infinity]),
        ("tol", \.tolerance, [-1e-9, .nan, .infinity, -.infinity]),
        ("loss_tol", \.lossTolerance, [-1, .nan, .infinity]),
        ("divergence_factor", \.divergenceFactor, [1, 0.5, 0, -2, .nan, .infinity, -.infinity]),
        ("balancing", \.balancing, [-1, .nan, .infinity]),
        ("noise_injection", \.noiseInjection, [-0.1, .nan, .infinity]),
        ("scaled_damping", \.scaledDamping, [-1, .nan, -.infinity]),
    ] }

    @Test func everyBadIntegerFieldIsRefusedAsTheSetterRefusesIt() throws {
        for width in [-3, 0, Int.min] {
            var o = Self.baseOptions()
            o.width = width
            var viaSetter = GradientDescentOptions()
            let setterError = #expect(throws: FactorSenseError.self) { try viaSetter.setInteger("width", Int64(width)) }
            let runError = Self.runError(o)
            #expect(runError != nil && runError == setterError, "width = \(width): \(String(describing: runError))")
            #expect(runError?.kind == .invalidArgument)
        }
        for (name, path, values) in Self.integerFields {
            for value in values {
                var o = Self.baseOptions()
                o[keyPath: path] = value
                var viaSetter = GradientDescentOptions()
                let setterError = #expect(throws: FactorSenseError.self) { try viaSetter.setInteger(name, Int64(value)) }
                let runError = Self.runError(o)
                #expect(runError != nil && runError == setterError, "\(name) = \(value): \(String(describing: runError))")
                #expect(runError?.kind == .invalidArgument)
                #expect(runError?.message.hasPrefix(name) == true)
            }
        }
    }

    @Test func everyBadRealFieldIsRefusedAsTheSetterRefusesIt() throws {
        for (name, path, values) in Self.realFields {
            for value in values {
                var o = Self.baseOptions()
                o[keyPath: path] = value
                var viaSetter = GradientDescentOptions()
                let setterError = #expect(throws: FactorSenseError.self) { try viaSetter.setReal(name, value) }
                let runError = Self.runError(o)
                #expect(runError != nil && runError == setterError, "\(name) = \(value): \(String(describing: runError))")
                #expect(runError?.kind == (value.isFinite ? .invalidArgument : .notFinite))
                #expect(runError?.message.hasPrefix(name) == true)
            }
        }
    }

    @Test func theBoundaryValuesThatAreAllowedRun() throws {
        var o = Self.baseOptions()
        o.maxIterations = 0
        o.batchSize = 0
        o.tolerance = 0
        o.lossTolerance = 0
        o.balancing = 0
        o.noiseInjection = 0
        o.scaledDamping = 0
        o.divergenceFactor = 1.000001
        o.window = 1
        o.recordEvery = 1
        o.seed = .max
        #expect(Self.runError(o) == nil)
        o.maxIterations = 3
        o.window = Int.max
        o.recordEvery = Int.max
        o.tolerance = 1e-3
        #expect(Self.runError(o) == nil)
    }

    /// X = UUᵀ is balanced by construction: balancing > 0 would be silently zero, so a PSD
    /// problem refuses it (and runs with 0).
    @Test func balancingOnAPSDProblemIsRefused() throws {
        let psd = try SensingProblem.generate(.symmetricGaussian, target: TargetSpecification(rows: 6, columns: 6, rank: 2, positiveSemidefinite: true),
                                              measurements: 60, seed: 2)
        var options = Self.baseOptions()
        options.balancing = 0.5
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(psd, options: options) }
        do {
            _ = try GradientDescent.run(psd, options: options)
        } catch {
            #expect(error.kind == .invalidArgument && error.message.contains("balancing"))
        }
        options.balancing = 0
        _ = try GradientDescent.run(psd, options: options)
        options.balancing = 0.5
        _ = try GradientDescent.run(Self.problem, options: options)
    }

    /// init_ratio ρ rescales the small random V₀ (same draws, same U₀) and is refused where it
    /// would be ignored: a PSD problem, a spectral start, given factors.
    @Test func initRatioRescalesVAndIsRefusedWhereItWouldBeIgnored() throws {
        var options = Self.baseOptions()
        options.maxIterations = 0
        let balanced = try GradientDescent.run(Self.problem, options: options)
        options.initRatio = 0.25
        let unbalanced = try GradientDescent.run(Self.problem, options: options)
        #expect(unbalanced.U == balanced.U)
        #expect(unbalanced.V.elements == balanced.V.elements.map { 0.25 * $0 })
        let psd = try SensingProblem.generate(.symmetricGaussian, target: TargetSpecification(rows: 6, columns: 6, rank: 2, positiveSemidefinite: true),
                                              measurements: 60, seed: 2)
        #expect(Self.runError(options) == nil)
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(psd, options: options) }
        options.initialization = .spectral
        #expect(Self.runError(options)?.message.contains("spectral initialization") == true)
        options.initialization = .smallRandom
        options.initialFactors = try InitialFactors(U: balanced.U, V: balanced.V)
        #expect(Self.runError(options)?.message.contains("given factors") == true)
        options.initRatio = 0
        #expect(throws: FactorSenseError.self) { try options.validate() }
    }

    @Test func validateIsTheSettersCheck() throws {
        #expect(throws: Never.self) { try GradientDescentOptions().validate() }
        var o = GradientDescentOptions()
        o.step = -1
        #expect(throws: FactorSenseError(.invalidArgument, "step must be > 0, got -1.0")) { try o.validate() }
    }

    // ------------------------------------------------------------ the rest of the public API

    @Test func matricesOfImpossibleSizesAreErrors() {
        #expect(throws: FactorSenseError.self) { try Matrix(rows: -1, columns: 2, elements: []) }
        #expect(throws: FactorSenseError.self) { try Matrix(rows: Int.max, columns: 3, elements: [1, 2, 3]) }
        #expect(throws: FactorSenseError.self) { try Matrix(rows: 2, columns: 2, elements: [1, 2, 3]) }
    }

    @Test func initialFactorsOfBadSizesOrScalesAreErrors() {
        for (n1, n2, k, alpha) in [(-1, 3, 2, 1.0), (3, 0, 2, 1.0), (3, 3, 0, 1.0), (3, 3, -2, 1.0),
                                   (3, 3, 2, 0.0), (3, 3, 2, -1.0), (3, 3, 2, Double.nan), (Int.max, 3, 2, 1.0)] {
            #expect(throws: FactorSenseError.self, "\(n1) \(n2) \(k) \(alpha)") {
                try InitialFactors.smallRandom(rows: n1, columns: n2, width: k, scale: alpha, seed: 0)
            }
        }
        for k in [0, -1, Int.min, 6] {
            #expect(throws: FactorSenseError.self) { try InitialFactors.spectral(Self.problem, width: k) }
        }
    }

    @Test func badTargetSpecificationsAreErrorsAndHaveNoSpectrum() {
        let specs = [TargetSpecification(rows: 4, columns: 4, rank: 1 << 40),
                     TargetSpecification(rows: -4, columns: 4, rank: 2),
                     TargetSpecification(rows: 4, columns: 4, rank: -1),
                     TargetSpecification(rows: 1 << 40, columns: 1 << 40, rank: 1 << 39)]
        for spec in specs {
            #expect(spec.singularValues.isEmpty)
            #expect(throws: FactorSenseError.self) { try spec.validate() }
            #expect(throws: FactorSenseError.self) { try SensingProblem.generate(.completion, target: spec, measurements: 3) }
        }
    }

    @Test func operatorsGiveNaNForArgumentsOfTheWrongShapeAndNeverTrap() throws {
        let target = TargetSpecification(rows: 6, columns: 5, rank: 2)
        var operators: [any MeasurementOperator] = [Self.problem.sensingOperator]
        for kind in [OperatorKind.identity, .completion, .rankOne] {
            operators.append(try SensingProblem.generate(kind, target: target, measurements: 12, seed: 2).sensingOperator)
        }
        let wrongX = try Matrix(rows: 3, columns: 5, elements: Array(repeating: 1, count: 15))
        let u = try Matrix(rows: 6, columns: 2, elements: Array(repeating: 0.1, count: 12))
        let wrongV = try Matrix(rows: 5, columns: 3, elements: Array(repeating: 0.1, count: 15))
        for op in operators {
            let m = op.measurementCount
            let applied = op.apply(wrongX)
            #expect(applied.count == m && applied.allSatisfy { $0.isNaN }, "\(type(of: op))")
            let product = op.apply(product: u, wrongV)
            #expect(product.count == m && product.allSatisfy { $0.isNaN })
            let adjoint = op.adjoint(Array(repeating: 1, count: m + 1))
            #expect(adjoint.rows == 6 && adjoint.columns == 5 && adjoint.elements.allSatisfy { $0.isNaN })
            let pass = op.residualAndGradient(U: u, V: wrongV, measurements: Array(repeating: 0, count: m))
            #expect(pass.residual.allSatisfy { $0.isNaN } && pass.gradientU.elements.allSatisfy { $0.isNaN })
            let short = op.residualAndGradient(U: u, V: try Matrix(rows: 5, columns: 2, elements: Array(repeating: 0.1, count: 10)),
                                               measurements: [1])
            #expect(short.residual.allSatisfy { $0.isNaN })
            #expect(op.restricted(to: [0, m]).measurementCount == 0)
            #expect(op.restricted(to: [-1]).measurementCount == 0)
            let evaluation = Objective(parameterization: .symmetric).evaluate(U: u, V: wrongV, operator: op, measurements: [])
            #expect(evaluation.loss.isNaN)
        }
        #expect(GroundTruth.dense(wrongX).distance(U: u, V: wrongV).isNaN)
    }

    @Test func theCheckedProblemCallsThrowWhatWasWrong() throws {
        let p = Self.problem
        let wrongX = try Matrix(rows: 5, columns: 6, elements: Array(repeating: 1, count: 30))
        #expect(throws: FactorSenseError.self) { try p.apply(wrongX) }
        let nanX = try Matrix(rows: 6, columns: 5, elements: [.nan] + Array(repeating: 1, count: 29))
        #expect { try p.apply(nanX) } throws: { ($0 as? FactorSenseError)?.kind == .notFinite }
        #expect(throws: FactorSenseError.self) { try p.adjoint([1, 2]) }
        let u = try Matrix(rows: 6, columns: 2, elements: Array(repeating: 1e200, count: 12))
        let v = try Matrix(rows: 5, columns: 2, elements: Array(repeating: 1e200, count: 10))
        #expect { try p.lossAndGradient(U: u, V: v) } throws: { ($0 as? FactorSenseError)?.kind == .notFinite }
        #expect(throws: FactorSenseError.self) { try p.lossAndGradient(U: u, V: nil) }
        #expect(throws: FactorSenseError.self) { try p.lossAndGradient(U: u, V: u) }
        let small = try Matrix(rows: 6, columns: 2, elements: Array(repeating: 0.1, count: 12))
        let smallV = try Matrix(rows: 5, columns: 2, elements: Array(repeating: 0.1, count: 10))
        let evaluation = try p.lossAndGradient(U: small, V: smallV)
        let residual = zip(try p.apply(BLAS.product(small, smallV, transposeB: true)), p.measurements).map { $0 - $1 }
        #expect(abs(evaluation.loss - 0.5 * residual.reduce(0) { $0 + $1 * $1 }) < 1e-12)
    }

    /// The option table (issue 25): each name once; the table's defaults are a fresh options
    /// value's; validate() refuses a field set directly outside its domain, naming the option.
    @Test func theOptionTableDescribesEveryOptionOnce() throws {
        let names = GradientDescentOptions.table.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(GradientDescentOptions.integerNames + GradientDescentOptions.realNames + GradientDescentOptions.textNames
                == names.filter { n in GradientDescentOptions.integerNames.contains(n) } + GradientDescentOptions.realNames + GradientDescentOptions.textNames)
        let fresh = GradientDescentOptions()
        #expect(try fresh.integer("max_iter") == 1000 && fresh.real("divergence_factor") == 1e8 && fresh.text("init") == "random")
        for option in GradientDescentOptions.table where option.kind == .real {
            #expect(option.defaultText == "\(try fresh.real(option.name))")
        }
        var o = GradientDescentOptions()
        o.divergenceFactor = 1
        #expect { try o.validate() } throws: { ($0 as? FactorSenseError)?.message.contains("divergence_factor must be > 1") == true }
        o = GradientDescentOptions()
        o.phaseThresholds.recovery = 1
        #expect { try o.validate() } throws: { ($0 as? FactorSenseError)?.message.contains("recovery_threshold must lie in (0, 1)") == true }
        o = GradientDescentOptions()
        o.width = 0
        #expect { try o.validate() } throws: { ($0 as? FactorSenseError)?.message.contains("width must be ≥ 1") == true }
        #expect { try o.setReal("width", 3) } throws: { ($0 as? FactorSenseError)?.message.contains("another type") == true }
    }
}
