import Foundation
import Testing
@testable import FactorSense

/// Issue 15: validation sets, the holdout split, patience and restore_best, the ridge, the
/// automatic step (Python and C test the same against numpy and plain C oracles).
@Suite struct CompletionToolsTests {
    /// A 30 × 24 completion problem with scale-1 entries of a rank-2 matrix plus a little noise.
    static func problem(noise: Double = 0.05, fraction: Double = 0.4, seed: UInt64 = 0) throws -> SensingProblem {
        let (n1, n2) = (30, 24)
        var generator = SeededGenerator(seed: seed, stream: 99)
        var rows: [Int] = [], columns: [Int] = [], values: [Double] = []
        for i in 0..<n1 {
            for j in 0..<n2 where generator.nextUniform() < fraction {
                rows.append(i)
                columns.append(j)
                let (a, b) = (Double(i), Double(j))
                let first: Double = sin(a) * cos(b)
                let second: Double = cos(0.5 * a) * sin(0.3 * b + 1)
                values.append(first + second + noise * (generator.nextUniform() - 0.5))
            }
        }
        let entries = try EntrySamplingOperator(rows: n1, columns: n2, rowIndices: rows, columnIndices: columns)
        return try SensingProblem(operator: entries, measurements: values)
    }

    static func options(width: Int = 6, step: Double = 0.05, maxIterations: Int = 300) -> GradientDescentOptions {
        var o = GradientDescentOptions()
        o.width = width
        o.step = step
        o.maxIterations = maxIterations
        o.initScale = 0.01
        o.seed = 2
        o.diagnostics = try! Diagnostic.parse("none")
        return o
    }

    @Test func holdoutSplitIsADisjointCoverInOrder() throws {
        let p = try Self.problem()
        let (training, validation) = try p.splitHoldout(fraction: 0.2, seed: 9)
        let m = p.measurementCount
        #expect(validation.measurementCount == Int((0.2 * Double(m)).rounded()))
        #expect(training.measurementCount + validation.measurementCount == m)
        let all = try #require(p.sensingOperator as? EntrySamplingOperator)
        let held = try #require(validation.sensingOperator as? EntrySamplingOperator)
        let kept = try #require(training.sensingOperator as? EntrySamplingOperator)
        let indices = SensingProblem.holdoutIndices(count: validation.measurementCount, of: m, seed: 9)
        #expect(held.rowIndices == indices.map { all.rowIndices[$0] })
        #expect(validation.measurements == indices.map { p.measurements[$0] })
        let rest = (0..<m).filter { !indices.contains($0) }
        #expect(kept.columnIndices == rest.map { all.columnIndices[$0] })
        // Same seed, same split; another seed, another split.
        #expect(try p.splitHoldout(fraction: 0.2, seed: 9).validation.measurements == validation.measurements)
        #expect(try p.splitHoldout(fraction: 0.2, seed: 10).validation.measurements != validation.measurements)
    }

    @Test func holdoutRefusals() throws {
        let p = try Self.problem()
        for bad in [0.0, 1.0, -1.0, 2.0, 1e-9] {
            #expect(throws: FactorSenseError.self) { try p.splitHoldout(fraction: bad, seed: 0) }
        }
        #expect { try p.splitHoldout(fraction: .nan, seed: 0) } throws: { ($0 as? FactorSenseError)?.kind == .notFinite }
    }

    /// Issue 22: validation values that are all 0 have no relative error: refused at the start.
    @Test func validationValuesOfZerosAreRefused() throws {
        let training = try Self.problem()
        let zeros = try SensingProblem(operator: training.sensingOperator, measurements: [Double](repeating: 0, count: training.measurementCount))
        let dense = try SensingProblem.gaussian(rows: training.rows, columns: training.columns, rank: 2, measurements: 150, seed: 2)
        #expect { try GradientDescent.run(dense, options: Self.options(width: 2, step: 0.1, maxIterations: 10), validation: zeros) } throws: {
            ($0 as? FactorSenseError)?.message.contains("validation values are all 0") == true
        }
    }

    @Test func validationErrorIsRecordedAndTheBestIterateRestored() throws {
        let (training, validation) = try Self.problem(noise: 0.5).splitHoldout(fraction: 0.25, seed: 1)
        var o = Self.options(width: 10, step: 0.1, maxIterations: 2000)
        o.recordEvery = 20
        let plain = try GradientDescent.run(training, options: o, validation: validation)
        let errors = try #require(plain.history.column("validation_error"))
        let iterations = plain.history.iterations
        let bestRow = try #require(errors.indices.min { errors[$0] < errors[$1] })
        #expect(plain.bestIteration == iterations[bestRow])
        // The last row is the factors held: ‖𝒜_val(UVᵀ) − y_val‖/‖y_val‖ recomputed here.
        var residual = validation.sensingOperator.apply(product: plain.U, plain.V)
        BLAS.axpy(-1, validation.measurements, &residual)
        #expect(abs(BLAS.norm(residual) / BLAS.norm(validation.measurements) - (errors.last ?? .nan)) <= 1e-12)

        o.restoreBest = true
        let restored = try GradientDescent.run(training, options: o, validation: validation)
        // (The histories hold NaN test errors — no truth — so compare the columns that are numbers.)
        #expect(restored.history.column("validation_error") == errors && restored.iterations == plain.iterations)
        #expect(restored.history.column("loss") == plain.history.column("loss"))
        var replay = o
        replay.restoreBest = false
        replay.maxIterations = iterations[bestRow]
        let atBest = try GradientDescent.run(training, options: replay)
        #expect(restored.U == atBest.U && restored.V == atBest.V)
    }

    @Test func patienceStopsAfterThatManyRowsWithoutImprovement() throws {
        let (training, validation) = try Self.problem(noise: 0.5).splitHoldout(fraction: 0.25, seed: 1)
        var o = Self.options(width: 10, step: 0.1, maxIterations: 5000)
        o.recordEvery = 10
        o.patience = 15
        let run = try GradientDescent.run(training, options: o, validation: validation)
        #expect(run.stopReason == .earlyStopped)
        let errors = try #require(run.history.column("validation_error"))
        let best = try #require(errors.indices.min { errors[$0] < errors[$1] })
        #expect(errors.count - 1 - best == 15)
        #expect(run.bestIteration == run.history.iterations[best])
    }

    @Test func refusals() throws {
        let p = try Self.problem()
        var o = Self.options()
        o.patience = 3
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(p, options: o) }
        o.patience = 0
        o.restoreBest = true
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(p, options: o) }
        o.restoreBest = false
        #expect { try GradientDescent.run(p, options: o, validation: p) } throws: {
            ($0 as? FactorSenseError)?.message.contains("overlap") == true
        }
        let other = try SensingProblem.gaussian(rows: 5, columns: 4, rank: 1, measurements: 10)
        #expect { try GradientDescent.run(p, options: o, validation: other) } throws: {
            ($0 as? FactorSenseError)?.kind == .sizeMismatch
        }
        o.ridge = -1
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(p, options: o) }
        o.ridge = 0
        o.stepRule = .auto
        o.batchSize = 10
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(p, options: o) }
        #expect(throws: FactorSenseError.self) { try o.setInteger("patience", -1) }
        #expect(throws: FactorSenseError.self) { try o.setInteger("restore_best", 2) }
        #expect(throws: FactorSenseError.self) { try o.setReal("ridge", .infinity) }
    }

    @Test(arguments: [Parameterization.asymmetric, .symmetric])
    func ridgeGradientMatchesFiniteDifferences(_ parameterization: Parameterization) throws {
        let p = try SensingProblem.gaussian(rows: 5, columns: 5, rank: 2, measurements: 30, seed: 3)
        let objective = Objective(parameterization: parameterization, ridge: 0.6)
        let start = try InitialFactors.smallRandom(rows: 5, columns: 5, width: 3, scale: 1, seed: 2)
        let U = start.U
        let V = parameterization == .symmetric ? U : try #require(start.V)
        let e = objective.evaluate(U: U, V: V, operator: p.sensingOperator, measurements: p.measurements)
        let h = 1e-6
        for index in [0, 7, 14] {
            var plus = U, minus = U
            plus.elements[index] += h
            minus.elements[index] -= h
            let f = { (u: Matrix) in
                objective.evaluate(U: u, V: parameterization == .symmetric ? u : V, operator: p.sensingOperator,
                                   measurements: p.measurements).loss
            }
            #expect(abs((f(plus) - f(minus)) / (2 * h) - e.gradientU.elements[index]) < 1e-6 * max(1, abs(e.gradientU.elements[index])))
        }
        // The ridge's part alone: (μ/2)‖U‖² (+ ‖V‖²) and μU.
        let plain = Objective(parameterization: parameterization).evaluate(U: U, V: V, operator: p.sensingOperator,
                                                                           measurements: p.measurements)
        let squares = BLAS.dot(U.elements, U.elements) + (parameterization == .symmetric ? 0 : BLAS.dot(V.elements, V.elements))
        #expect(abs(e.loss - plain.loss - 0.3 * squares) <= 1e-12 * e.loss)
        for i in U.elements.indices {
            #expect(abs(e.gradientU.elements[i] - plain.gradientU.elements[i] - 0.6 * U.elements[i]) <= 1e-12)
        }
    }

    @Test func automaticStepNeverRaisesTheLossAndIsDeterministic() throws {
        let p = try Self.problem()
        var o = Self.options(width: 6, maxIterations: 300)
        o.stepRule = .auto
        let a = try GradientDescent.run(p, options: o)
        let b = try GradientDescent.run(p, options: o)
        #expect(a.U == b.U && a.history.column("step") == b.history.column("step"))
        let loss = try #require(a.history.column("loss"))
        #expect(zip(loss, loss.dropFirst()).allSatisfy { $1 <= $0 })
        let steps = try #require(a.history.column("step"))
        let time = try #require(a.history.column("time"))
        #expect(abs((time.last ?? 0) - steps.dropFirst().reduce(0, +)) <= 1e-12 * (time.last ?? 1))
        #expect(loss.last ?? .infinity < 1e-3 * (loss.first ?? 0))
    }
}
