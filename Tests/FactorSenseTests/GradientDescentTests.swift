import Synchronization
import Testing
@testable import FactorSense

@Suite struct GradientDescentTests {
    static let demo = try! SensingProblem.gaussian(rows: 40, columns: 30, rank: 3, measurements: 900, seed: 0)

    static func options(width: Int = 10, step: Double = 0.5, maxIterations: Int = 3000, recordEvery: Int = 10) -> GradientDescentOptions {
        var o = GradientDescentOptions()
        o.width = width
        o.step = step
        o.maxIterations = maxIterations
        o.recordEvery = recordEvery
        o.seed = 1
        return o
    }

    @Test func recoversTheDemoMatrixFromSmallRandomInit() throws {
        let result = try GradientDescent.run(Self.demo, options: Self.options())
        #expect(result.stopReason == .maxIterations)
        #expect(result.iterations == 3000)
        let testError = try #require(result.history.column("test_error")?.last)
        #expect(testError < 1e-2)
        #expect(result.history.column("test_error")?.first ?? 0 > 0.99)  // X₀ ≈ 0 at α = 1e-3
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let problem = try SensingProblem.gaussian(rows: 5, columns: 4, rank: 2, measurements: 30, seed: 3)
        let start = try InitialFactors.smallRandom(rows: 5, columns: 4, width: 3, scale: 1, seed: 2)
        let startV = try #require(start.V)
        let g = problem.sensingOperator.residualAndGradient(U: start.U, V: startV, measurements: problem.measurements)
        func loss(_ u: Matrix, _ v: Matrix) -> Double {
            problem.sensingOperator.residualAndGradient(U: u, V: v, measurements: problem.measurements).loss
        }
        let h = 1e-6
        for index in [0, 4, 11] {
            var plus = start.U, minus = start.U
            plus.elements[index] += h
            minus.elements[index] -= h
            let numeric = (loss(plus, startV) - loss(minus, startV)) / (2 * h)
            #expect(abs(numeric - g.gradientU.elements[index]) < 1e-7)
        }
        for index in [1, 7] {
            var plus = startV, minus = startV
            plus.elements[index] += h
            minus.elements[index] -= h
            let numeric = (loss(start.U, plus) - loss(start.U, minus)) / (2 * h)
            #expect(abs(numeric - g.gradientV.elements[index]) < 1e-7)
        }
    }

    @Test func oneStepIsTheSimultaneousUpdate() throws {
        let problem = try SensingProblem.gaussian(rows: 5, columns: 4, rank: 2, measurements: 30, seed: 3)
        var o = Self.options(width: 2, step: 0.3, maxIterations: 1, recordEvery: 1)
        o.initialFactors = try InitialFactors.smallRandom(rows: 5, columns: 4, width: 2, scale: 0.5, seed: 9)
        let start = try #require(o.initialFactors)
        let startV = try #require(start.V)
        let result = try GradientDescent.run(problem, options: o)
        let x = BLAS.product(start.U, startV, transposeB: true)
        let rho: [Double] = zip(problem.sensingOperator.apply(x), problem.measurements).map { $0 - $1 }
        let g = problem.sensingOperator.adjoint(rho)
        let gU = BLAS.product(g, startV), gV = BLAS.product(g, transposeA: true, start.U)
        for i in start.U.elements.indices { #expect(abs(result.U.elements[i] - (start.U.elements[i] - 0.3 * gU.elements[i])) < 1e-15) }
        for i in startV.elements.indices { #expect(abs(result.V.elements[i] - (startV.elements[i] - 0.3 * gV.elements[i])) < 1e-15) }
        #expect(result.history.iterations == [0, 1])
        #expect(result.history.column("time") == [0, 0.3])
    }

    @Test func recordsEveryKthIterateAndTheLast() throws {
        let result = try GradientDescent.run(Self.demo, options: Self.options(maxIterations: 23, recordEvery: 5))
        #expect(result.history.iterations == [0, 5, 10, 15, 20, 23])
    }

    @Test func sameSeedSameBits() throws {
        let a = try GradientDescent.run(Self.demo, options: Self.options(maxIterations: 50))
        let b = try GradientDescent.run(Self.demo, options: Self.options(maxIterations: 50))
        #expect(a == b)
    }

    @Test func tooLargeAStepDiverges() throws {
        let result = try GradientDescent.run(Self.demo, options: Self.options(step: 50, maxIterations: 1000))
        #expect(result.stopReason == .diverged)
        #expect(result.iterations < 1000)
        #expect(result.U.isFinite && result.V.isFinite)
        #expect(result.history.lastIteration == result.iterations)
    }

    @Test func lossToleranceStopsAsConverged() throws {
        var o = Self.options()
        o.lossTolerance = 1e-6
        let result = try GradientDescent.run(Self.demo, options: o)
        #expect(result.stopReason == .converged)
        let losses = try #require(result.history.column("loss"))
        #expect(losses.last! <= 1e-6)
        #expect(result.iterations < 3000)
    }

    @Test func relativeChangeRuleStopsOnAPlateau() throws {
        // Noisy measurements: the loss levels off at the noise floor.
        let noisy = try SensingProblem.gaussian(rows: 20, columns: 15, rank: 2, measurements: 400, noiseLevel: 0.05, seed: 2)
        var o = Self.options(width: 4, maxIterations: 20000, recordEvery: 100)
        o.tolerance = 1e-6
        o.window = 50
        let result = try GradientDescent.run(noisy, options: o)
        #expect(result.stopReason == .converged)
        #expect(result.iterations < 20000)
    }

    @Test func progressStopsTheRun() throws {
        let seen = Mutex<[Int]>([])  // the handler is @Sendable: what it changes is shared safely
        let result = try GradientDescent.run(Self.demo, options: Self.options(recordEvery: 5)) { snapshot in
            seen.withLock { $0.append(snapshot.iteration) }
            return snapshot.iteration >= 20
        }
        #expect(result.stopReason == .callback)
        #expect(result.iterations == 20)
        #expect(Array(seen.withLock { $0 }.prefix(5)) == [0, 5, 10, 15, 20])
    }

    @Test func missingWidthAndMismatchedFactorsAreErrors() throws {
        var o = GradientDescentOptions()
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(Self.demo, options: o) }
        o.initialFactors = try InitialFactors.smallRandom(rows: 39, columns: 30, width: 2, scale: 1, seed: 0)
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(Self.demo, options: o) }
        o.initialFactors = try InitialFactors.smallRandom(rows: 40, columns: 30, width: 2, scale: 1, seed: 0)
        o.width = 3
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(Self.demo, options: o) }
    }

    @Test func hugeIterationCountsAreRefusedBeforeTheRunNotHoursIntoIt() throws {
        var o = Self.options(maxIterations: Int(Int64.max))
        o.recordEvery = 1
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(Self.demo, options: o) }
        o.recordEvery = Int(Int64.max)  // a short history: only the window is large
        o.tolerance = 1e-9
        o.window = Int(Int64.max)
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(Self.demo, options: o) }
    }

    @Test func optionsAreSetByNameWithinTheirDomains() throws {
        var o = GradientDescentOptions()
        try o.setReal("step", 0.25)
        try o.setInteger("width", 4)
        try o.setInteger("seed", -1)
        #expect(o.step == 0.25 && o.width == 4 && o.seed == UInt64.max)
        #expect(try o.integer("seed") == -1)
        #expect(throws: FactorSenseError.self) { try o.setReal("step", -1) }
        #expect(throws: FactorSenseError.self) { try o.setReal("step", .nan) }
        #expect(throws: FactorSenseError.self) { try o.setInteger("width", 0) }
        #expect(throws: FactorSenseError.self) { try o.setInteger("step", 1) }
        #expect(throws: FactorSenseError.self) { try o.setReal("divergence_factor", 1) }
    }
}
