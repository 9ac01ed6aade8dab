#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FactorSense

/// The caller's own target X⋆: `SensingProblem.generate(_:target:…)`, `GroundTruth.factors`,
/// the checks of `validateAsTarget`, and the numerical rank.
@Suite struct UserTargetTests {
    /// L (n1 × 2), s, R (n2 × 2) with fixed entries.
    static func factors(rows n1: Int, columns n2: Int) throws -> (Matrix, [Double], Matrix) {
        let l = try Matrix(rows: n1, columns: 2, elements: (0..<(2 * n1)).map { sin(1 + 0.7 * Double($0)) })
        let r = try Matrix(rows: n2, columns: 2, elements: (0..<(2 * n2)).map { cos(0.3 + 1.3 * Double($0)) })
        return (l, [2, 0.5], r)
    }

    static func product(_ l: Matrix, _ s: [Double], _ r: Matrix) -> Matrix {
        var x = Matrix(rows: l.rows, columns: r.rows)
        for i in 0..<l.rows {
            for j in 0..<r.rows {
                for k in s.indices { x[i, j] += l[i, k] * s[k] * r[j, k] }
            }
        }
        return x
    }

    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: OperatorKind.allCases)
    func measurementsAreTheDrawnOperatorAppliedToTheTarget(kind: OperatorKind) throws {
        let square = kind == .symmetricGaussian
        var (l, s, r) = try Self.factors(rows: 6, columns: square ? 6 : 5)
        if square {  // a symmetric operator takes only a symmetric target: L diag(s) (L D)ᵀ, D = diag(1, −1)
            r = l
            for i in 0..<6 { r[i, 1] = -r[i, 1] }
        }
        let x = Self.product(l, s, r)
        for truth in [GroundTruth.dense(x), try GroundTruth.factors(left: l, diagonal: s, right: r)] {
            let p = try SensingProblem.generate(kind, target: truth, measurements: 20, noiseLevel: 0, seed: 5)
            let drawn = try SensingProblem.generate(
                kind, target: TargetSpecification(rows: 6, columns: square ? 6 : 5, rank: 1), measurements: 20, seed: 5)
            #expect(Self.maxDifference(p.measurements, p.sensingOperator.apply(x)) <= 1e-13)
            #expect(p.groundTruth == truth)
            #expect(Self.maxDifference(try #require(try p.truth).elements, x.elements) <= 1e-14)
            switch (p.sensingOperator, drawn.sensingOperator) {
            case let (a as DenseOperator, b as DenseOperator): #expect(a.matrix == b.matrix)
            case let (a as EntrySamplingOperator, b as EntrySamplingOperator):
                #expect(a.rowIndices == b.rowIndices && a.columnIndices == b.columnIndices && a.scale == b.scale)
            case let (a as RankOneOperator, b as RankOneOperator): #expect(a.left == b.left && a.right == b.right)
            case (is IdentityOperator, is IdentityOperator): #expect(Self.maxDifference(p.measurements, x.elements) <= 1e-14)
            default: Issue.record("operators of different kinds: \(p.sensingOperator) and \(drawn.sensingOperator)")
            }
        }
    }

    @Test func noiseIsTheDrawnProblemsNoise() throws {
        let (l, s, r) = try Self.factors(rows: 6, columns: 5)
        let truth = try GroundTruth.factors(left: l, diagonal: s, right: r)
        let spec = TargetSpecification(rows: 6, columns: 5, rank: 1)
        let clean = try SensingProblem.generate(.rankOne, target: truth, measurements: 30, seed: 9)
        let noisy = try SensingProblem.generate(.rankOne, target: truth, measurements: 30, noiseLevel: 0.2, seed: 9)
        let drawnClean = try SensingProblem.generate(.rankOne, target: spec, measurements: 30, seed: 9)
        let drawnNoisy = try SensingProblem.generate(.rankOne, target: spec, measurements: 30, noiseLevel: 0.2, seed: 9)
        let xi = zip(noisy.measurements, clean.measurements).map { $0 - $1 }
        let expected = zip(drawnNoisy.measurements, drawnClean.measurements).map { $0 - $1 }
        #expect(Self.maxDifference(xi, expected) <= 1e-13)
        #expect(xi.map(abs).max() ?? 0 > 0.1)
    }

    @Test func psdFactorsGiveTheSymmetricParameterizationAndASymmetricOperator() throws {
        let (l, s, _) = try Self.factors(rows: 5, columns: 5)
        let truth = try GroundTruth.factors(left: l, diagonal: s)
        guard case .factored(let left, let right) = truth else { Issue.record("not factored"); return }
        #expect(right == l && left[2, 1] == l[2, 1] * s[1])
        let p = try SensingProblem.generate(.rankOne, target: truth, positiveSemidefinite: true, measurements: 15, seed: 2)
        #expect(p.parameterization == .symmetric)
        let rankOne = try #require(p.sensingOperator as? RankOneOperator)
        #expect(rankOne.isSymmetric && rankOne.left != rankOne.right)  // b_i drawn apart from a_i (issue 22)
    }

    @Test func numericalRankOfDenseAndFactoredTargets() throws {
        let (l, _, r) = try Self.factors(rows: 6, columns: 5)
        #expect(try GroundTruth.dense(Self.product(l, [1, 1], r)).numericalRank() == 2)
        #expect(try GroundTruth.factors(left: l, diagonal: [1, 0], right: r).numericalRank() == 1)
        #expect(try GroundTruth.factors(left: l, diagonal: [3, 1], right: r).numericalRank() == 2)
        let sigma = try GroundTruth.factors(left: l, diagonal: [3, 1], right: r).singularValues()
        let dense = try Factorizations.singularValues(of: Self.product(l, [3, 1], r))
        #expect(Self.maxDifference(sigma, Array(dense.prefix(2))) <= 1e-13 * dense[0])
        let truth = GroundTruth.dense(Self.product(l, [1, 1], r))
        #expect(throws: FactorSenseError(.invalidArgument,
            "rank is 3, but the target's numerical rank (its singular values above σ₁ · max(n1, n2) · ε) is 2")) {
            try SensingProblem.generate(.gaussian, target: truth, rank: 3, measurements: 10)
        }
        _ = try SensingProblem.generate(.gaussian, target: truth, rank: 2, measurements: 10)
    }

    @Test func psdChecksForDenseAndFactoredTargets() throws {
        let (l, s, r) = try Self.factors(rows: 5, columns: 5)
        let psd = Self.product(l, s, l)
        _ = try SensingProblem.generate(.gaussian, target: .dense(psd), positiveSemidefinite: true, measurements: 10)
        var indefinite = psd
        for i in 0..<5 { indefinite[i, i] -= 1 }   // eigenvalues of L diag(s) Lᵀ minus 1: some negative
        let error = try #require(throws: FactorSenseError.self) {
            try SensingProblem.generate(.gaussian, target: .dense(indefinite), positiveSemidefinite: true, measurements: 10)
        }
        #expect(error.kind == .invalidArgument && error.message.contains("λ_min = -1"))
        #expect(throws: FactorSenseError.self) {   // not symmetric
            try SensingProblem.generate(.gaussian, target: .dense(Self.product(l, s, r)), positiveSemidefinite: true, measurements: 10)
        }
        #expect(throws: FactorSenseError.self) {   // factors, not symmetric
            try SensingProblem.generate(.completion, target: .factors(left: l, diagonal: s, right: r),
                                        positiveSemidefinite: true, measurements: 10)
        }
        var negated = l
        negated.scale(by: -1)
        let negative = try #require(throws: FactorSenseError.self) {
            try SensingProblem.generate(.completion, target: .factors(left: l, diagonal: s, right: negated),
                                        positiveSemidefinite: true, measurements: 10)
        }
        #expect(negative.message.contains("λ_min"))
        // The same factors are a fine target for X = UVᵀ.
        _ = try SensingProblem.generate(.completion, target: .factors(left: l, diagonal: s, right: negated), measurements: 10)
        #expect(throws: FactorSenseError.self) {   // not square
            try SensingProblem.generate(.gaussian, target: .dense(Matrix(rows: 3, columns: 2, repeating: 1)),
                                        positiveSemidefinite: true, measurements: 10)
        }
    }

    @Test func badTargetsAreRefused() throws {
        let (l, s, r) = try Self.factors(rows: 4, columns: 3)
        func refuses(_ kind: FactorSenseError.Kind, _ words: String, _ make: () throws -> GroundTruth) {
            do {
                let truth = try make()
                _ = try SensingProblem.generate(.gaussian, target: truth, measurements: 10)
                Issue.record("accepted a bad target (\(words))")
            } catch let error as FactorSenseError {
                #expect(error.kind == kind && error.message.contains(words), "\(error.message)")
            } catch {
                Issue.record("not a FactorSenseError: \(error)")
            }
        }
        refuses(.invalidArgument, "empty") { .dense(Matrix(rows: 0, columns: 3)) }
        refuses(.invalidArgument, "zero matrix") { .dense(Matrix(rows: 2, columns: 3)) }
        refuses(.notFinite, "nan at (1, 0)") { .dense(try Matrix(rows: 2, columns: 2, elements: [1, 0, .nan, 1])) }
        refuses(.invalidArgument, "s must be ≥ 0") { try .factors(left: l, diagonal: [1, -1], right: r) }
        refuses(.notFinite, "s has a non-finite entry inf at index 0") { try .factors(left: l, diagonal: [.infinity, 1], right: r) }
        refuses(.sizeMismatch, "L must have r = 3 columns") { try .factors(left: l, diagonal: [1, 1, 1], right: r) }
        refuses(.sizeMismatch, "R must have r = 2 columns") {
            try .factors(left: l, diagonal: s, right: Matrix(rows: 3, columns: 1, repeating: 1))
        }
        refuses(.invalidArgument, "between 1 and min(n1, n2) = 1") {
            try .factors(left: l, diagonal: s, right: Matrix(rows: 1, columns: 2, repeating: 1))
        }
        refuses(.invalidArgument, "got r = 0") { .factored(left: Matrix(rows: 4, columns: 0), right: Matrix(rows: 3, columns: 0)) }
        refuses(.sizeMismatch, "same number of columns") { .factored(left: l, right: Matrix(rows: 3, columns: 1)) }
        refuses(.notFinite, "left factor") {
            var bad = l
            bad[0, 0] = .nan
            return .factored(left: bad, right: r)
        }
        #expect(throws: FactorSenseError.self) {
            try SensingProblem.generate(.gaussian, target: .dense(Self.product(l, s, r)), measurements: 10, noiseLevel: -1)
        }
        #expect(throws: FactorSenseError.self) {
            try SensingProblem.generate(.symmetricGaussian, target: .dense(Self.product(l, s, r)), measurements: 10)
        }
    }
}
