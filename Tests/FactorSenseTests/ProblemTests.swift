import Testing
@testable import FactorSense

@Suite struct ProblemTests {
    @Test func targetHasTheRequestedRankAndSpectrum() throws {
        let x = try LowRankTarget.random(rows: 12, columns: 9, rank: 3, scale: 2, conditionNumber: 10, seed: 4)
        let s = try Factorizations.singularValues(of: x)
        let expected = [2, 2 / 10.0.squareRoot(), 0.2]
        for i in 0..<3 { #expect(abs(s[i] - expected[i]) < 1e-12) }
        for i in 3..<9 { #expect(s[i] < 1e-12) }
    }

    @Test func targetValidatesItsArguments() {
        #expect(throws: FactorSenseError.self) { try LowRankTarget.random(rows: 4, columns: 3, rank: 4, scale: 1, conditionNumber: 1, seed: 0) }
        #expect(throws: FactorSenseError.self) { try LowRankTarget.random(rows: 4, columns: 3, rank: 0, scale: 1, conditionNumber: 1, seed: 0) }
        #expect(throws: FactorSenseError.self) { try LowRankTarget.random(rows: 4, columns: 3, rank: 1, scale: .nan, conditionNumber: 1, seed: 0) }
        #expect(throws: FactorSenseError.self) { try LowRankTarget.random(rows: 4, columns: 3, rank: 1, scale: 1, conditionNumber: 0.5, seed: 0) }
    }

    @Test func gaussianOperatorSatisfiesTheAdjointIdentity() throws {
        let op = try DenseOperator.gaussian(measurements: 20, rows: 4, columns: 5, seed: 9)
        var sampler = GaussianSampler(seed: 1, stream: .noise)
        let x = sampler.matrix(rows: 4, columns: 5)
        let rho = sampler.values(20)
        let lhs = BLAS.dot(op.apply(x), rho)
        let rhs = BLAS.dot(x.elements, op.adjoint(rho).elements)
        #expect(abs(lhs - rhs) <= 1e-12 * abs(lhs))
    }

    @Test func gaussianOperatorIsNormalizedInExpectation() throws {
        // E‖𝒜X‖² = ‖X‖²_F: with m = 4000 the ratio is within a few percent.
        let op = try DenseOperator.gaussian(measurements: 4000, rows: 5, columns: 4, seed: 2)
        let x = try LowRankTarget.random(rows: 5, columns: 4, rank: 2, scale: 1, conditionNumber: 1, seed: 3)
        let ratio = BLAS.norm(op.apply(x)) / x.frobeniusNorm
        #expect(abs(ratio - 1) < 0.05)
    }

    @Test func measurementsAreTheOperatorAppliedToTheTruthPlusNoise() throws {
        let clean = try SensingProblem.gaussian(rows: 6, columns: 5, rank: 2, measurements: 50, seed: 1)
        let truth = try #require(try clean.truth)
        let y = clean.sensingOperator.apply(truth)
        #expect(zip(y, clean.measurements).allSatisfy { $0 == $1 })

        let noisy = try SensingProblem.gaussian(rows: 6, columns: 5, rank: 2, measurements: 2000, noiseLevel: 0.1, seed: 1)
        let noise = zip(noisy.measurements, noisy.sensingOperator.apply(try #require(try noisy.truth))).map { $0 - $1 }
        let sd = (noise.map { $0 * $0 }.reduce(0, +) / Double(noise.count)).squareRoot()
        #expect(abs(sd - 0.1) < 0.01)
    }

    @Test func sameSeedSameBits() throws {
        let a = try SensingProblem.gaussian(rows: 8, columns: 6, rank: 2, measurements: 40, seed: 77)
        let b = try SensingProblem.gaussian(rows: 8, columns: 6, rank: 2, measurements: 40, seed: 77)
        let c = try SensingProblem.gaussian(rows: 8, columns: 6, rank: 2, measurements: 40, seed: 78)
        let (truthA, truthB) = (try a.truth, try b.truth)
        #expect(a.measurements == b.measurements && truthA == truthB)
        #expect(a.measurements != c.measurements)
    }

    @Test func problemsRefuseBadInput() throws {
        let op = try DenseOperator.gaussian(measurements: 10, rows: 3, columns: 2, seed: 0)
        #expect(throws: FactorSenseError.self) { try SensingProblem(operator: op, measurements: [Double](repeating: 0, count: 9)) }
        var y = [Double](repeating: 0, count: 10)
        y[3] = .nan
        #expect(throws: FactorSenseError.self) { try SensingProblem(operator: op, measurements: y) }
        #expect(throws: FactorSenseError.self) {
            try SensingProblem(operator: op, measurements: [Double](repeating: 0, count: 10), truth: Matrix(rows: 2, columns: 3))
        }
        #expect(throws: FactorSenseError.self) { try DenseOperator(measurements: 2, rows: 1, columns: 1, matrix: [1, .infinity]) }
        #expect(throws: FactorSenseError.self) { try SensingProblem.gaussian(rows: 1 << 31, columns: 1 << 31, rank: 1, measurements: 1 << 31) }
        #expect(throws: FactorSenseError.self) { try SensingProblem.gaussian(rows: 4, columns: 4, rank: 1, measurements: 0) }
        #expect(throws: FactorSenseError.self) { try SensingProblem.gaussian(rows: 4, columns: 4, rank: 1, measurements: 5, noiseLevel: -1) }
    }
}
