#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FactorSense

/// Issue 22, items 1 and 2: the symmetric rank-one operator draws b_i apart from a_i and measures
/// a_iᵀ sym(X) b_i/√m (so E‖𝒜X‖² = ‖X‖²_F on symmetric X), and a symmetric operator takes only
/// a symmetric target, drawn or the caller's.
@Suite struct SymmetricOperatorTests {
    static func matrix(_ n1: Int, _ n2: Int, _ f: (Int) -> Double) throws -> Matrix {
        try Matrix(rows: n1, columns: n2, elements: (0..<(n1 * n2)).map(f))
    }

    @Test func symmetricRankOneMeasuresTheSymmetricPartWithIndependentVectors() throws {
        let (m, n) = (20, 4)
        let op = try RankOneOperator.gaussian(measurements: m, rows: n, columns: n, symmetric: true, seed: 3)
        #expect(op.isSymmetric)
        #expect(op.left.elements != op.right.elements)
        var sampler = GaussianSampler(seed: 3, stream: .sensingOperator)
        #expect(op.left.elements == (0..<(m * n)).map { _ in sampler.next() })
        #expect(op.right.elements == (0..<(m * n)).map { _ in sampler.next() })
        let x = try Self.matrix(n, n) { sin(1 + 0.9 * Double($0)) }
        let measured = op.apply(x)
        for i in 0..<m {
            var sum = 0.0
            for p in 0..<n {
                for q in 0..<n { sum += op.left[i, p] * 0.5 * (x[p, q] + x[q, p]) * op.right[i, q] }
            }
            #expect(abs(op.scale * sum - measured[i]) <= 1e-12)
        }
        let rho = (0..<m).map { cos(0.3 * Double($0)) }
        let g = op.adjoint(rho)
        for p in 0..<n {
            for q in 0..<n { #expect(g[p, q] == g[q, p]) }
        }
        // ⟨𝒜X, ρ⟩ = ⟨X, 𝒜*ρ⟩
        let lhs = zip(measured, rho).map { $0 * $1 }.reduce(0, +)
        let rhs = zip(x.elements, g.elements).map { $0 * $1 }.reduce(0, +)
        #expect(abs(lhs - rhs) <= 1e-12 * abs(lhs))
        // the fused pass against the default one (X = UVᵀ, ρ, G, GV, GᵀU)
        let u = try Self.matrix(n, 2) { cos(0.4 + 1.1 * Double($0)) }
        let v = try Self.matrix(n, 2) { sin(0.2 + 0.6 * Double($0)) }
        let y = (0..<m).map { sin(2.0 * Double($0)) }
        let fused = op.residualAndGradient(U: u, V: v, measurements: y)
        let xuv = BLAS.product(u, v, transposeB: true)
        let residual = zip(op.apply(xuv), y).map { $0 - $1 }
        let gr = op.adjoint(residual)
        #expect(zip(fused.residual, residual).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(zip(fused.gradientU.elements, BLAS.product(gr, v).elements).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(zip(fused.gradientV.elements, BLAS.product(gr, transposeA: true, u).elements).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(zip(op.apply(product: u, v), residual.indices.map { residual[$0] + y[$0] }).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(op.restricted(to: [3, 1]).isSymmetric)
    }

    @Test func symmetricGaussianDrawsASymmetricTargetWhenNotPSD() throws {
        let spec = TargetSpecification(rows: 6, columns: 6, rank: 3, scale: 2, conditionNumber: 4)
        let p = try SensingProblem.generate(.symmetricGaussian, target: spec, measurements: 30, seed: 4)
        #expect(p.parameterization == .asymmetric)
        let x = try #require(try p.truth)
        for i in 0..<6 {
            for j in 0..<6 { #expect(abs(x[i, j] - x[j, i]) <= 1e-15) }
        }
        let values = try Factorizations.symmetricEigen(of: x).values
        #expect((values.min() ?? 0) < -0.5)   // s₂ = 1 with the sign −
    }

    @Test func symmetricOperatorsRefuseANonSymmetricTarget() throws {
        let x = try Self.matrix(4, 4) { sin(1 + Double($0 / 4)) * cos(0.5 + 2 * Double($0 % 4)) }
        for (kind, psd) in [(OperatorKind.symmetricGaussian, false), (.symmetricGaussian, true), (.rankOne, true)] {
            let error = try #require(throws: FactorSenseError.self) {
                try SensingProblem.generate(kind, target: .dense(x), positiveSemidefinite: psd, measurements: 10)
            }
            #expect(error.kind == .invalidArgument && error.message.contains("symmetric"))
        }
        let l = try Self.matrix(4, 2) { sin(0.3 + 0.9 * Double($0)) }
        let r = try Self.matrix(4, 2) { cos(0.7 + 1.1 * Double($0)) }
        let error = try #require(throws: FactorSenseError.self) {
            try SensingProblem.generate(.symmetricGaussian, target: .factors(left: l, diagonal: [1, 0.5], right: r),
                                        measurements: 10)
        }
        #expect(error.kind == .invalidArgument && error.message.contains("symmetric"))
        // the caller's problem of a symmetric operator and a non-symmetric truth
        let op = try RankOneOperator.gaussian(measurements: 10, rows: 4, columns: 4, symmetric: true, seed: 1)
        #expect(throws: FactorSenseError.self) {
            try SensingProblem(operator: op, measurements: op.apply(x), truth: x)
        }
        let dense = try DenseOperator.symmetricGaussian(measurements: 10, size: 4, seed: 1)
        #expect(dense.isSymmetric)
        #expect(throws: FactorSenseError.self) {
            try SensingProblem(operator: dense, measurements: dense.apply(x), truth: x)
        }
    }

    /// The caller's dense operator is symmetric when every row is an exactly symmetric n × n
    /// matrix; then it refuses a non-symmetric truth, as the symmetric Gaussian operator does.
    @Test func aDenseOperatorOfSymmetricRowsIsSymmetric() throws {
        let (m, n) = (6, 3)
        var rows = [Double](repeating: 0, count: m * n * n)
        for i in 0..<m {
            for p in 0..<n {
                for q in p..<n {
                    let value = sin(Double(1 + i * 7 + p * 3 + q))
                    rows[i * n * n + p * n + q] = value
                    rows[i * n * n + q * n + p] = value
                }
            }
        }
        let symmetric = try DenseOperator(measurements: m, rows: n, columns: n, matrix: rows)
        #expect(symmetric.isSymmetric)
        let x = try Self.matrix(n, n) { Double($0) }
        #expect(throws: FactorSenseError.self) {
            try SensingProblem(operator: symmetric, measurements: symmetric.apply(x), truth: x)
        }
        rows[1] += 1e-15
        #expect(try !DenseOperator(measurements: m, rows: n, columns: n, matrix: rows).isSymmetric)
        #expect(try !DenseOperator(measurements: 2, rows: 3, columns: 2, matrix: Array(rows.prefix(12))).isSymmetric)
    }
}
