import Testing
@testable import FactorSense

/// The parts gradient descent's loop calls (issue 25), each against its definition.
@Suite struct SolverPartsTests {
    @Test func stopRulesInTheirOrder() {
        var o = GradientDescentOptions()
        (o.divergenceFactor, o.lossTolerance, o.tolerance, o.window, o.maxIterations) = (10, 0.01, 0.1, 2, 6)
        var rules = StopRules(o)
        #expect(rules.check(loss: 1, at: 0) == nil)
        #expect(rules.check(loss: 10, at: 1) == nil)               // = 10·f₀: not above it
        #expect(rules.check(loss: 10.5, at: 2) == .diverged)
        rules = StopRules(o)
        #expect(rules.check(loss: 1, at: 0) == nil)
        #expect(rules.check(loss: 0.5, at: 1) == nil)
        #expect(rules.check(loss: 0.95, at: 2) == .converged)       // |0.95 − 1| ≤ 0.1 · f₀
        rules = StopRules(o)
        #expect(rules.check(loss: 1, at: 0) == nil)
        #expect(rules.check(loss: 0.01, at: 1) == .converged)       // f ≤ loss_tol
        o.tolerance = 0
        rules = StopRules(o)
        for t in 0..<6 { #expect(rules.check(loss: 1 - 0.1 * Double(t), at: t) == nil) }
        #expect(rules.check(loss: 0.4, at: 6) == .maxIterations)
    }

    @Test func divergenceGuardKeepsPowersOfTwoBackAndFallsBackToTheVerified() throws {
        var guardian = DivergenceGuard()
        let m = { (x: Double) throws -> Matrix in try Matrix(rows: 1, columns: 1, elements: [x]) }
        for t in 0...13 { guardian.checkpoint(t, U: try m(Double(t)), V: try m(0)) }
        #expect(guardian.candidates(before: 14).map(\.t) == [13, 12, 8])   // levels 0…3: the latest multiples of 1, 2, 4, 8
        #expect(guardian.candidates(before: 13).map(\.t) == [12, 8])
        guardian.verify(9, U: try m(9), V: try m(0))
        #expect(guardian.candidates(before: 14).map(\.t) == [13, 12])
        #expect(guardian.verified?.t == 9)
    }

    @Test func earlyStoppingCountsRowsSinceTheFirstBest() throws {
        var o = GradientDescentOptions()
        (o.patience, o.restoreBest) = (2, true)
        var rule = EarlyStopping(o)
        let f = { (x: Double) throws -> Matrix in try Matrix(rows: 1, columns: 1, elements: [x]) }
        func snapshot(_ t: Int, _ error: Double) throws -> Snapshot {
            Snapshot(iteration: t, time: Double(t), loss: 1, testError: .nan, residual: 1, validationError: error,
                     step: .nan, U: try f(Double(t)), V: try f(0), residualVector: [])
        }
        #expect(try !rule.observe(snapshot(0, 0.5)))
        #expect(try !rule.observe(snapshot(1, 0.3)))
        #expect(try !rule.observe(snapshot(2, 0.3)))   // a tie is no improvement
        #expect(try rule.observe(snapshot(3, .nan)))   // two rows since the best: patience ran out
        #expect(rule.best?.t == 1)
        #expect(try rule.factors(f(7), f(7)).U == f(1))
    }

    @Test func scaledDirectionIsTheGradientTimesTheDampedInverseGram() throws {
        var o = GradientDescentOptions()
        (o.preconditioner, o.scaledDamping) = (.scaled, 0.5)
        let u = try Matrix(rows: 3, columns: 2, elements: [1, 0, 0, 2, 1, 1])
        let v = try Matrix(rows: 2, columns: 2, elements: [2, 0, 0, 1])
        let g = try Matrix(rows: 3, columns: 2, elements: [1, 1, 1, 1, 1, 1])
        let h = try Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        let e = Evaluation(residual: [], loss: 0, gradientU: g, gradientV: h)
        let d = try #require(StepDirection.of(e, U: u, V: v, symmetric: false, options: o))
        // VᵀV + ½I = diag(4.5, 1.5); UᵀU + ½I = [[2.5, 1], [1, 5.5]], inverse [[5.5, −1], [−1, 2.5]]/12.75
        for i in 0..<3 { #expect(abs(d.U[i, 0] - 1 / 4.5) < 1e-15 && abs(d.U[i, 1] - 1 / 1.5) < 1e-15) }
        let inverse = [[5.5 / 12.75, -1 / 12.75], [-1 / 12.75, 2.5 / 12.75]]
        for i in 0..<2 {
            for j in 0..<2 { #expect(abs(d.V[i, j] - (h[i, 0] * inverse[0][j] + h[i, 1] * inverse[1][j])) < 1e-15) }
        }
        o.preconditioner = .none
        #expect(StepDirection.of(e, U: u, V: v, symmetric: false, options: o).map { $0.U == g && $0.V == h } == true)
    }

    /// A zero truth has rank 0: its alignment columns are NaN, and the run does not trap (the
    /// signal/noise split indexed σ[−1]); a truth whose σ₁ overflows is refused.
    @Test func aZeroTruthRunsAndAnOverflowingOneIsRefused() throws {
        let op = try DenseOperator(measurements: 20, rows: 6, columns: 6, matrix: [Double](repeating: 1, count: 20 * 36))
        var o = GradientDescentOptions()
        (o.width, o.maxIterations) = (2, 3)
        let zero = try SensingProblem(operator: op, measurements: [Double](repeating: 1, count: 20),
                                      truth: Matrix(rows: 6, columns: 6))
        let run = try GradientDescent.run(zero, options: o)
        #expect(run.history.column("signal")?.allSatisfy { $0.isNaN } == true)
        let huge = try SensingProblem(operator: op, measurements: [Double](repeating: 1, count: 20),
                                      truth: Matrix(rows: 6, columns: 6, repeating: 1e308))
        #expect { try GradientDescent.run(huge, options: o) } throws: { ($0 as? FactorSenseError)?.kind == .notFinite }
    }
}
