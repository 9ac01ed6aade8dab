import Testing
@testable import FactorSense

/// Every operator against the definitions of docs/mathematics.md: the adjoint identity, the specialised
/// gradient pass against the generic one, and restriction to a subset of measurements.
@Suite struct OperatorTests {
    static func operators() throws -> [(String, any MeasurementOperator)] {
        [
            ("gaussian", try DenseOperator.gaussian(measurements: 30, rows: 5, columns: 4, seed: 1)),
            ("symmetric_gaussian", try DenseOperator.symmetricGaussian(measurements: 30, size: 5, seed: 1)),
            ("identity", try IdentityOperator(rows: 5, columns: 4)),
            ("identity_parallel_blocks", try IdentityOperator(rows: 600, columns: 300)),  // 600·300·3 ≥ 2¹⁹
            ("completion", try EntrySamplingOperator.uniform(rows: 5, columns: 4, measurements: 12, seed: 1)),
            ("rank_one", try RankOneOperator.gaussian(measurements: 25, rows: 5, columns: 4, symmetric: false, seed: 1)),
            ("rank_one_symmetric", try RankOneOperator.gaussian(measurements: 25, rows: 5, columns: 5, symmetric: true, seed: 1)),
        ]
    }

    static func generic(_ op: any MeasurementOperator, _ u: Matrix, _ v: Matrix, _ y: [Double]) -> FactorGradient {
        let rho = zip(op.apply(BLAS.product(u, v, transposeB: true)), y).map { $0 - $1 }
        let g = op.adjoint(rho)
        return FactorGradient(residual: rho, gradientU: BLAS.product(g, v), gradientV: BLAS.product(g, transposeA: true, u))
    }

    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
        let scale = max(BLAS.norm(b), 1e-300)
        return BLAS.norm(zip(a, b).map { $0 - $1 }) <= tolerance * scale
    }

    @Test func adjointIdentityHolds() throws {
        for (name, op) in try Self.operators() {
            var sampler = GaussianSampler(seed: 3, stream: .noise)
            let x = sampler.matrix(rows: op.rows, columns: op.columns)
            let rho = sampler.values(op.measurementCount)
            let lhs = BLAS.dot(op.apply(x), rho), rhs = BLAS.dot(x.elements, op.adjoint(rho).elements)
            #expect(abs(lhs - rhs) <= 1e-12 * max(abs(lhs), 1), "\(name)")
        }
    }

    /// `passer`'s gradient pass at random factors of width k against the generic pass of `op`.
    static func expectTheGenericPass(of passer: any MeasurementOperator, for op: any MeasurementOperator,
                                     seed: UInt64, width k: Int, _ name: String) {
        var sampler = GaussianSampler(seed: seed, stream: .noise)
        let u = sampler.matrix(rows: op.rows, columns: k)
        let v = sampler.matrix(rows: op.columns, columns: k)
        let y = sampler.values(op.measurementCount)
        let pass = passer.residualAndGradient(U: u, V: v, measurements: y)
        let expected = generic(op, u, v, y)
        #expect(close(pass.residual, expected.residual), "\(name)")
        #expect(close(pass.gradientU.elements, expected.gradientU.elements), "\(name)")
        #expect(close(pass.gradientV.elements, expected.gradientV.elements), "\(name)")
    }

    @Test func specialisedGradientPassesMatchTheGenericOne() throws {
        for (name, op) in try Self.operators() {
            Self.expectTheGenericPass(of: op, for: op, seed: 4, width: 3, name)
        }
    }

    @Test func restrictionKeepsTheChosenMeasurements() throws {
        for (name, op) in try Self.operators() {
            var sampler = GaussianSampler(seed: 5, stream: .noise)
            let x = sampler.matrix(rows: op.rows, columns: op.columns)
            let indices = [op.measurementCount - 1, 0, 2]
            let all = op.apply(x)
            #expect(Self.close(op.restricted(to: indices).apply(x), indices.map { all[$0] }), "\(name)")
        }
    }

    /// An operator of the caller's own that gives only `apply`, `adjoint` and `restricted`: the
    /// solvers use the protocol's default pass for it (every built-in operator has its own).
    struct ThroughApplyAndAdjoint: MeasurementOperator {
        let base: any MeasurementOperator
        var measurementCount: Int { base.measurementCount }
        var rows: Int { base.rows }
        var columns: Int { base.columns }
        func apply(_ x: Matrix) -> [Double] { base.apply(x) }
        func adjoint(_ residual: [Double]) -> Matrix { base.adjoint(residual) }
        func restricted(to indices: [Int]) -> any MeasurementOperator { base.restricted(to: indices) }
    }

    @Test func theDefaultPassIsTheResidualAndTheAdjointsProducts() throws {
        for (name, op) in try Self.operators() {
            Self.expectTheGenericPass(of: ThroughApplyAndAdjoint(base: op), for: op, seed: 6, width: 2, name)
        }
    }

    @Test func symmetricGaussianRowsAreSymmetric() throws {
        let op = try DenseOperator.symmetricGaussian(measurements: 3, size: 4, seed: 2)
        for i in 0..<3 {
            for r in 0..<4 {
                for c in 0..<4 { #expect(op.matrix[i * 16 + r * 4 + c] == op.matrix[i * 16 + c * 4 + r]) }
            }
        }
    }

    @Test func uniformCompletionDrawsDistinctCellsInOrder() throws {
        for m in [1, 7, 15, 20] {  // both sides of n1·n2/2, and every cell
            let op = try EntrySamplingOperator.uniform(rows: 5, columns: 4, measurements: m, seed: 8)
            let cells = zip(op.rowIndices, op.columnIndices).map { $0 * 4 + $1 }
            #expect(cells.count == m && cells == cells.sorted() && Set(cells).count == m)
            #expect(abs(op.scale - (20 / Double(m)).squareRoot()) < 1e-15)
        }
        #expect(throws: FactorSenseError.self) { try EntrySamplingOperator.uniform(rows: 5, columns: 4, measurements: 21, seed: 0) }
    }

    @Test func userEntriesAreChecked() {
        #expect(throws: FactorSenseError.self) { try EntrySamplingOperator(rows: 3, columns: 3, rowIndices: [0, 1, 0], columnIndices: [2, 1, 2]) }
        #expect(throws: FactorSenseError.self) { try EntrySamplingOperator(rows: 3, columns: 3, rowIndices: [3], columnIndices: [0]) }
        #expect(throws: FactorSenseError.self) { try EntrySamplingOperator(rows: 3, columns: 3, rowIndices: [0], columnIndices: [-1]) }
        #expect(throws: FactorSenseError.self) { try EntrySamplingOperator(rows: 3, columns: 3, rowIndices: [0, 1], columnIndices: [0]) }
        #expect(throws: FactorSenseError.self) { try EntrySamplingOperator(rows: 3, columns: 3, rowIndices: [0], columnIndices: [0], scale: 0) }
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite struct GroundTruthTests {
    @Test func factoredDistanceEqualsTheDenseOne() throws {
        let spec = TargetSpecification(rows: 9, columns: 7, rank: 2, scale: 2, conditionNumber: 3)
        let factored = try LowRankTarget.factors(spec, seed: 1)
        let dense = GroundTruth.dense(try factored.matrix)
        var sampler = GaussianSampler(seed: 2, stream: .noise)
        let u = sampler.matrix(rows: 9, columns: 4), v = sampler.matrix(rows: 7, columns: 4)
        #expect(abs(factored.distance(U: u, V: v) - dense.distance(U: u, V: v)) < 1e-13 * dense.distance(U: u, V: v))
        #expect(abs(factored.frobeniusNorm - dense.frobeniusNorm) < 1e-14 * dense.frobeniusNorm)
        // At the truth itself the factored distance has no cancellation: it is ~1e-16, not ~1e-8.
        if case .factored(let left, let right) = factored {
            #expect(factored.distance(U: left, V: right) < 1e-14)
        }
    }

    @Test func completionOf20000By20000RunsWithoutFormingTheMatrix() throws {
        let p = try SensingProblem.generate(.completion, target: TargetSpecification(rows: 20_000, columns: 20_000, rank: 3),
                                            measurements: 1_000_000, seed: 1)
        var o = GradientDescentOptions()
        o.width = 10
        o.step = 0.5
        o.maxIterations = 20
        o.recordEvery = 10
        let r = try GradientDescent.run(p, options: o)
        #expect(r.history.count == 3 && r.history.column("test_error")?.allSatisfy(\.isFinite) == true)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // One dense 20000 × 20000 matrix alone would be 3.2 GB.
        #expect(usage.ru_maxrss < 1_500_000, "peak resident set \(usage.ru_maxrss) KiB")
    }
}

/// Issue 25: operators describe themselves — their kind's name, their dense entries, and what a
/// pass and a restriction hold — so that the memory count and the C layer never downcast.
@Suite struct OperatorDescriptionTests {
    @Test func eachOperatorNamesItselfAndCountsItsTemporaries() throws {
        let (n1, n2, m, k) = (6, 5, 40, 3)
        let dense = try DenseOperator.gaussian(measurements: m, rows: n1, columns: n2, seed: 1)
        let identity = try IdentityOperator(rows: n1, columns: n2)
        let entries = try EntrySamplingOperator.uniform(rows: n1, columns: n2, measurements: 12, seed: 1)
        let rankOne = try RankOneOperator.gaussian(measurements: m, rows: n1, columns: n2, symmetric: false, seed: 1)
        let operators: [any MeasurementOperator] = [dense, identity, entries, rankOne]
        #expect(operators.map(\.kindName) == ["dense", "identity", "entries", "rank_one"])
        #expect(dense.denseEntries == dense.entries && identity.denseEntries == nil && rankOne.denseEntries == nil)
        let bytes = { (needs: [MemoryBudget.Need]) in needs.reduce(0) { $0 + $1.bytes } }
        let double = MemoryLayout<Double>.stride
        #expect(try bytes(dense.passNeeds(measurements: m, width: k)) == (3 + FixedChunks.count) * n1 * n2 * double)
        #expect(try bytes(identity.passNeeds(measurements: n1 * n2, width: k)) == FixedChunks.count * n2 * k * double)
        #expect(try bytes(entries.passNeeds(measurements: 12, width: k)) == 0)
        #expect(try bytes(rankOne.passNeeds(measurements: m, width: k)) == (4 * m * k + m) * double)
        #expect(try bytes(dense.restrictionNeeds(measurements: 7)) == 7 * n1 * n2 * double)
        #expect(try bytes(rankOne.restrictionNeeds(measurements: 7)) == 7 * (n1 + n2) * double)
        #expect(try bytes(entries.restrictionNeeds(measurements: 7)) == 2 * 7 * MemoryLayout<Int>.stride)
        #expect(try bytes(rankOne.applyNeeds()) == m * n2 * double && bytes(dense.applyNeeds()) == 0)
        // The cells each reads one by one, and the rank-one factors, from the operator itself.
        #expect(dense.observedCells == .mixed && rankOne.observedCells == .mixed && identity.observedCells == .all)
        #expect(entries.observedCells == .cells(rows: entries.rowIndices, columns: entries.columnIndices, scale: entries.scale))
        #expect(dense.rankOneProjections == nil && entries.rankOneProjections == nil)
        let projections = try #require(rankOne.rankOneProjections)
        #expect(projections.left == rankOne.left && projections.right == rankOne.right && projections.scale == rankOne.scale)
    }

    /// A batch's per-trial view of the shared dense pass describes itself as the dense operator.
    @Test func theSharedPassViewDescribesItselfAsItsOperator() throws {
        let dense = try DenseOperator.symmetricGaussian(measurements: 40, size: 6, seed: 2)
        let view = dense.sharedPass(trials: 2).view(trial: 0)
        #expect(view.kindName == "dense" && view.isSymmetric && view.denseEntries == dense.entries)
        let bytes = { (needs: [MemoryBudget.Need]) in needs.reduce(0) { $0 + $1.bytes } }
        #expect(try bytes(view.passNeeds(measurements: 40, width: 3)) == bytes(dense.passNeeds(measurements: 40, width: 3)))
        #expect(try bytes(view.adjointNeeds()) == bytes(dense.adjointNeeds()))
    }
}
