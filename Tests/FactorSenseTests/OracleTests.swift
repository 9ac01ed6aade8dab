import Testing
@testable import FactorSense

/// One step of each variant of `GradientDescent` against its formula, computed here with plain
/// loops (no BLAS, no LAPACK: `Naive`), on the dense operator's own matrix 𝐀. With
/// G = mat(𝐀ᵀρ), ρ = 𝐀 vec(UVᵀ) − y, the step U₀ − U₁ must be η times
///
/// - ScaledGD:   G V (VᵀV + λI)⁻¹ (and Gᵀ U (UᵀU + λI)⁻¹ for V);  PSD: ½(G + Gᵀ) U (UᵀU + λI)⁻¹
/// - balancing:  G V + (λ/2) U D (and Gᵀ U − (λ/2) V D), D = UᵀU − VᵀV
/// - mini-batch: (m/b) G_B V over the sampler's batch B
/// - noise:      G V, then τ·N(0, 1) from the perturbation stream added to U, then V
///
/// python/tests/test_oracle_*.py hold the same checks and more (initializations, stop rules).
@Suite struct OracleTests {
    static let asymmetric = try! SensingProblem.gaussian(rows: 6, columns: 5, rank: 2, measurements: 25, seed: 4)
    static let symmetric = try! SensingProblem.generate(
        .symmetricGaussian, target: TargetSpecification(rows: 6, columns: 6, rank: 2, positiveSemidefinite: true),
        measurements: 25, seed: 4)

    /// Factors of unequal sizes, so that UᵀU and VᵀV differ.
    static func start(_ problem: SensingProblem, width k: Int = 3) -> (U: Matrix, V: Matrix?) {
        let u = try! InitialFactors.smallRandom(rows: problem.rows, columns: problem.columns, width: k, scale: 2.0, seed: 7)
        guard problem.parameterization == .asymmetric, var v = u.V else { return (u.U, nil) }
        v.scale(by: 0.3)
        return (u.U, v)
    }

    static func run(_ problem: SensingProblem, _ start: (U: Matrix, V: Matrix?), iterations: Int = 1,
                    _ configure: (inout GradientDescentOptions) -> Void) throws -> GradientDescentResult {
        var o = GradientDescentOptions()
        o.initialFactors = try InitialFactors(U: start.U, V: start.V)
        o.maxIterations = iterations
        configure(&o)
        return try GradientDescent.run(problem, options: o)
    }

    /// |(a₀ − a₁) − step·d| ≤ 1e-12 · ‖step·d‖ entry by entry (a₀ the start, a₁ the result).
    static func expectStep(_ a0: Matrix, _ a1: Matrix, _ step: Double, _ d: Matrix, sourceLocation: SourceLocation = #_sourceLocation) {
        let scale = d.elements.map { abs(step * $0) }.max() ?? 0
        #expect(scale > 1e-6, sourceLocation: sourceLocation)
        let worst = a0.elements.indices.map { abs((a0.elements[$0] - a1.elements[$0]) - step * d.elements[$0]) }.max() ?? 0
        #expect(worst <= 1e-12 * max(scale, 1), sourceLocation: sourceLocation)
    }

    @Test(arguments: [0.0, 0.3])
    func scaledGDAsymmetric(damping: Double) throws {
        let p = Self.asymmetric, s = Self.start(p)
        let v0 = try #require(s.V)
        let r = try Self.run(p, s) { $0.step = 0.05; $0.preconditioner = .scaled; $0.scaledDamping = damping }
        let g = Naive.adjointOfResidual(p, s.U, v0)
        Self.expectStep(s.U, r.U, 0.05, Naive.product(Naive.product(g, v0), Naive.inverse(Naive.gram(v0, damping))))
        Self.expectStep(v0, r.V, 0.05, Naive.product(Naive.product(g, s.U, transposeA: true),
                                                     Naive.inverse(Naive.gram(s.U, damping))))
    }

    @Test(arguments: [0.0, 0.3])
    func scaledGDSymmetric(damping: Double) throws {
        let p = Self.symmetric, s = Self.start(p)
        let r = try Self.run(p, s) { $0.step = 0.05; $0.preconditioner = .scaled; $0.scaledDamping = damping }
        let direction = Naive.product(Naive.symmetricGradient(p, s.U), Naive.inverse(Naive.gram(s.U, damping)))
        Self.expectStep(s.U, r.U, 0.05, direction)
        #expect(r.V == r.U)
    }

    @Test func balancing() throws {
        let p = Self.asymmetric, s = Self.start(p), lambda = 0.7
        let v0 = try #require(s.V)
        let r = try Self.run(p, s) { $0.step = 0.1; $0.balancing = lambda }
        let g = Naive.adjointOfResidual(p, s.U, v0)
        var d = Naive.gram(s.U, 0)
        let vv = Naive.gram(v0, 0)
        for i in d.elements.indices { d.elements[i] -= vv.elements[i] }
        var gradientU = Naive.product(g, v0), gradientV = Naive.product(g, s.U, transposeA: true)
        let ud = Naive.product(s.U, d), vd = Naive.product(v0, d)
        for i in gradientU.elements.indices { gradientU.elements[i] += lambda / 2 * ud.elements[i] }
        for i in gradientV.elements.indices { gradientV.elements[i] -= lambda / 2 * vd.elements[i] }
        Self.expectStep(s.U, r.U, 0.1, gradientU)
        Self.expectStep(v0, r.V, 0.1, gradientV)
        // The recorded loss is ½‖ρ‖² + (λ/8)‖D‖²_F.
        let rho = Naive.residual(p, s.U, v0)
        let expected = 0.5 * rho.reduce(0) { $0 + $1 * $1 } + lambda / 8 * d.elements.reduce(0) { $0 + $1 * $1 }
        let loss = try #require(r.history.column("loss")?.first)
        #expect(abs(loss - expected) <= 1e-12 * expected)
    }

    @Test func miniBatch() throws {
        let p = Self.asymmetric, s = Self.start(p), b = 6, seed: UInt64 = 12
        let v0 = try #require(s.V)
        let r = try Self.run(p, s) { $0.step = 0.05; $0.batchSize = b; $0.seed = seed }
        var sampler = MiniBatchSampler(count: p.measurementCount, batchSize: b, seed: seed)
        let batch = sampler.next()
        var g = Naive.adjointOfResidual(p, s.U, v0, rows: batch)
        for i in g.elements.indices { g.elements[i] *= Double(p.measurementCount) / Double(b) }
        Self.expectStep(s.U, r.U, 0.05, Naive.product(g, v0))
        Self.expectStep(v0, r.V, 0.05, Naive.product(g, s.U, transposeA: true))
    }

    @Test func noiseInjection() throws {
        let p = Self.asymmetric, s = Self.start(p), tau = 0.05, seed: UInt64 = 21
        let v0 = try #require(s.V)
        let r = try Self.run(p, s) { $0.step = 0.2; $0.noiseInjection = tau; $0.seed = seed }
        var normals = GaussianSampler(seed: seed, stream: .perturbation)
        let g = Naive.adjointOfResidual(p, s.U, v0)
        var gradientU = Naive.product(g, v0), gradientV = Naive.product(g, s.U, transposeA: true)
        // U₁ = U₀ − η∇ + τz, i.e. U₀ − U₁ = η(∇ − τz/η).
        for i in gradientU.elements.indices { gradientU.elements[i] -= tau * normals.next() / 0.2 }
        for i in gradientV.elements.indices { gradientV.elements[i] -= tau * normals.next() / 0.2 }
        Self.expectStep(s.U, r.U, 0.2, gradientU)
        Self.expectStep(v0, r.V, 0.2, gradientV)
    }

    @Test func spectralInitializationSplitsTheSingularValuesEvenly() throws {
        // Distinct singular values far from 1: U₀ᵀU₀ = V₀ᵀV₀ = S_k tells S^{1/2} from S.
        let p = try SensingProblem.gaussian(rows: 12, columns: 10, rank: 3, measurements: 200, scale: 3, conditionNumber: 4, seed: 8)
        let start = try InitialFactors.spectral(p, width: 3)
        let v0 = try #require(start.V)
        let s = try Factorizations.singularValues(of: p.sensingOperator.adjoint(p.measurements))
        #expect(s[0] > 1.5 && s[0] - s[1] > 0.1 && s[1] - s[2] > 0.1)
        for factor in [start.U, v0] {
            let gram = Naive.gram(factor, 0)
            for i in 0..<3 {
                for j in 0..<3 { #expect(abs(gram[i, j] - (i == j ? s[i] : 0)) <= 1e-11) }
            }
        }
    }
}

/// Plain-loop linear algebra for the oracles: nothing shared with the code under test.
enum Naive {
    /// The rows of 𝐀 of a dense problem.
    static func rows(_ p: SensingProblem) -> [[Double]] {
        guard let dense = p.sensingOperator as? DenseOperator else { return [] }
        let width = p.rows * p.columns
        return (0..<p.measurementCount).map { Array(dense.matrix[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// ρ = 𝐀 vec(UVᵀ) − y over the measurements `rows` (all by default).
    static func residual(_ p: SensingProblem, _ u: Matrix, _ v: Matrix, rows selected: [Int]? = nil) -> [Double] {
        let x = product(u, v, transposeB: true)
        let a = rows(p)
        return (selected ?? Array(0..<p.measurementCount)).map { i in
            zip(a[i], x.elements).reduce(0) { $0 + $1.0 * $1.1 } - p.measurements[i]
        }
    }

    /// G = Σ_i ρ_i A_i over the measurements `rows` (all by default).
    static func adjointOfResidual(_ p: SensingProblem, _ u: Matrix, _ v: Matrix, rows selected: [Int]? = nil) -> Matrix {
        let indices = selected ?? Array(0..<p.measurementCount)
        let rho = residual(p, u, v, rows: indices)
        let a = rows(p)
        var g = Matrix(rows: p.rows, columns: p.columns)
        for (r, i) in zip(rho, indices) {
            for j in g.elements.indices { g.elements[j] += r * a[i][j] }
        }
        return g
    }

    /// ½(G + Gᵀ) U at V = U.
    static func symmetricGradient(_ p: SensingProblem, _ u: Matrix) -> Matrix {
        let g = adjointOfResidual(p, u, u)
        var s = g
        for i in 0..<g.rows {
            for j in 0..<g.columns { s[i, j] = 0.5 * (g[i, j] + g[j, i]) }
        }
        return product(s, u)
    }

    /// A B, Aᵀ B (transposeA) or A Bᵀ (transposeB).
    static func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let (n, inner) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let k = transposeB ? b.rows : b.columns
        var c = Matrix(rows: n, columns: k)
        for i in 0..<n {
            for j in 0..<k {
                var sum = 0.0
                for l in 0..<inner {
                    sum += (transposeA ? a[l, i] : a[i, l]) * (transposeB ? b[j, l] : b[l, j])
                }
                c[i, j] = sum
            }
        }
        return c
    }

    /// FᵀF + λI.
    static func gram(_ f: Matrix, _ damping: Double) -> Matrix {
        var g = product(f, f, transposeA: true)
        for i in 0..<g.rows { g[i, i] += damping }
        return g
    }

    /// A⁻¹ by Gauss–Jordan elimination with partial pivoting.
    static func inverse(_ a: Matrix) -> Matrix {
        let n = a.rows
        var m = a
        var inv = Matrix(rows: n, columns: n)
        for i in 0..<n { inv[i, i] = 1 }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0, col]) < abs(m[$1, col]) } ?? col
            for j in 0..<n {
                (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j])
                (inv[col, j], inv[pivot, j]) = (inv[pivot, j], inv[col, j])
            }
            let d = m[col, col]
            for j in 0..<n { m[col, j] /= d; inv[col, j] /= d }
            for i in 0..<n where i != col {
                let f = m[i, col]
                for j in 0..<n { m[i, j] -= f * m[col, j]; inv[i, j] -= f * inv[col, j] }
            }
        }
        return inv
    }
}
