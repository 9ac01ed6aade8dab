import Testing
@testable import FactorSense

/// `GradientDescent.runBatch`: each trial bit for bit its own run, trials that stop early or are
/// refused, the shared kernel against the single one (Python and C test the same through their
/// bindings).
@Suite struct BatchTests {
    static func options(seed: UInt64, scale: Double = 1e-3, step: Double = 0.3, width: Int = 4, maxIterations: Int = 150) -> GradientDescentOptions {
        var o = GradientDescentOptions()
        o.width = width
        o.seed = seed
        o.initScale = scale
        o.step = step
        o.maxIterations = maxIterations
        o.recordEvery = 10
        return o
    }

    static let dense = try! SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 12, columns: 9, rank: 2),
                                                    measurements: 300, seed: 3)

    @Test(arguments: [OperatorKind.gaussian, .completion])
    func eachTrialIsItsOwnRunBitForBit(kind: OperatorKind) throws {
        let problem = kind == .gaussian ? Self.dense
            : try SensingProblem.generate(.completion, target: TargetSpecification(rows: 12, columns: 9, rank: 2), measurements: 70, seed: 3)
        let trials = [Self.options(seed: 1), Self.options(seed: 2, scale: 1e-2), Self.options(seed: 3, step: 0.1, width: 6),
                      Self.options(seed: 4, maxIterations: 40)]
        let results = try GradientDescent.runBatch(problem, options: trials)
        #expect(results.count == trials.count)
        for (options, outcome) in zip(trials, results) {
            let batched = try outcome.get()
            let alone = try GradientDescent.run(problem, options: options)
            #expect(batched.U == alone.U && batched.V == alone.V)
            #expect(batched.iterations == alone.iterations && batched.stopReason == alone.stopReason)
            for name in alone.history.names { #expect(batched.history.column(name) == alone.history.column(name)) }
        }
    }

    /// What depends only on the problem (the truth's SVD, the decomposition of 𝒜*(y) behind the
    /// spectral start and the spectral alignment) is computed once for a batch of 32, not 32
    /// times: the problem's cache counts its computations, and every trial is still its own run.
    @Test(arguments: [OperatorKind.gaussian, .completion])
    func aBatchComputesTheProblemsReferencesOnce(kind: OperatorKind) throws {
        let problem = try SensingProblem.generate(kind, target: TargetSpecification(rows: 12, columns: 9, rank: 2),
                                                  measurements: kind == .gaussian ? 300 : 70, seed: 4)
        let trials = (0..<32).map { (i: Int) -> GradientDescentOptions in
            var o = Self.options(seed: UInt64(i), maxIterations: 30)
            o.initialization = i.isMultiple(of: 2) ? .spectral : .smallRandom
            o.diagnostics = .chosen([.alignmentLeft, .spectralAlignmentLeft, .signal])
            return o
        }
        #expect(problem.cache.computed == 0)
        let results = try GradientDescent.runBatch(problem, options: trials)
        #expect(problem.cache.computed == 2)  // the truth's subspaces and the decomposition of 𝒜*(y)
        for i in [0, 1, 31] {
            let alone = try GradientDescent.run(problem, options: trials[i])
            let batched = try results[i].get()
            #expect(batched.U == alone.U)
            for name in alone.history.names { #expect(batched.history.column(name) == alone.history.column(name)) }
        }
        #expect(problem.cache.computed == 2)
    }

    @Test func aDivergingTrialStopsAloneAndARefusedOneIsReported() throws {
        var refused = Self.options(seed: 5)
        refused.width = nil
        let trials = [Self.options(seed: 1), Self.options(seed: 2, step: 50), refused, Self.options(seed: 3)]
        let results = try GradientDescent.runBatch(Self.dense, options: trials)
        #expect(try results[1].get().stopReason == .diverged)
        #expect(try results[0].get().iterations == 150 && results[3].get().iterations == 150)
        guard case .failure(let error) = results[2] else { Issue.record("a trial without a width ran"); return }
        #expect(error.kind == .invalidArgument)
        #expect(try results[3].get().U == GradientDescent.run(Self.dense, options: trials[3]).U)
    }

    @Test func anEmptyBatchIsRefused() {
        #expect(throws: FactorSenseError.self) { try GradientDescent.runBatch(Self.dense, options: []) }
    }

    /// The register-blocked pass against its definition, on every tail of its blocks: n mod 16
    /// (the dot products' vector part) and mod 8 (the row sums'), m mod 8 and mod 4 (the row
    /// groups), T mod 3 (the trial blocks), both storages: ρ_t is bit for bit `product(x_t)`
    /// minus y_t and g_t bit for bit `transposedProduct(ρ_t)` (the one-row kernels), and both
    /// agree with a plain sum in double precision to rounding.
    @Test(arguments: [DenseEntries.Precision.double, .single])
    func theBatchKernelOnEveryTailOfItsBlocks(precision: DenseEntries.Precision) {
        for m in [1, 3, 4, 5, 8, 9, 13, 17] {
            for n in [1, 7, 8, 9, 15, 16, 17, 33] {
                var sampler = GaussianSampler(seed: UInt64(100 * m + n), stream: .noise)
                let values = sampler.values(m * n)
                let a: DenseEntries = precision == .double ? .double(values) : .single(values.map(Float.init))
                let entries = a.doubles
                let inputs = (0..<8).map { _ in (x: sampler.values(n), y: sampler.values(m)) }
                for trials in 1...8 {
                    let batch = Array(inputs.prefix(trials))
                    let (residuals, adjoints) = DenseKernels.residualsAndAdjoints(a, rows: m, columns: n, batch)
                    for (t, input) in batch.enumerated() {
                        let product = DenseKernels.product(a, rows: m, columns: n, input.x)
                        #expect(residuals[t] == zip(product, input.y).map { $0 - $1 })
                        #expect(adjoints[t] == DenseKernels.transposedProduct(a, rows: m, columns: n, residuals[t]))
                        let rho = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + entries[i * n + $1] * input.x[$1] } - input.y[i] }
                        let g = (0..<n).map { j in (0..<m).reduce(0.0) { $0 + entries[$1 * n + j] * rho[$1] } }
                        #expect(Self.close(residuals[t], rho) && Self.close(adjoints[t], g), "m \(m) n \(n) T \(trials) trial \(t)")
                    }
                }
            }
        }
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        let scale = max(b.map(abs).max() ?? 0, 1)
        return a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * scale }
    }

    @Test func theSharedKernelIsTheSingleKernelPerTrial() {
        for (m, n, trials) in [(7, 5, 3), (300, 250, 4), (40, 9000, 2)] {
            var sampler = GaussianSampler(seed: UInt64(m), stream: .noise)
            let a = sampler.values(m * n)
            let inputs = (0..<trials).map { _ in (x: sampler.values(n), y: sampler.values(m)) }
            let (residuals, adjoints) = DenseKernels.residualsAndAdjoints(a, rows: m, columns: n, inputs)
            for (t, input) in inputs.enumerated() {
                let (rho, g) = DenseKernels.residualAndAdjoint(a, rows: m, columns: n, input.x, input.y)
                #expect(residuals[t] == rho && adjoints[t] == g)
            }
        }
    }
}
