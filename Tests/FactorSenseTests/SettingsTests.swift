import Testing
@testable import FactorSense

/// Each paper's setting converges, and each comparison variant does what docs/mathematics.md says.
@Suite struct SettingsTests {
    static func options(width: Int, step: Double, maxIterations: Int, initScale: Double = 1e-3) -> GradientDescentOptions {
        var o = GradientDescentOptions()
        o.width = width
        o.step = step
        o.maxIterations = maxIterations
        o.initScale = initScale
        o.recordEvery = 50
        o.seed = 3
        return o
    }

    static func finalTestError(_ r: GradientDescentResult) -> Double { r.history.column("test_error")?.last ?? .nan }

    @Test func psdTargetsArePositiveSemidefiniteWithTheirSpectrum() throws {
        let spec = TargetSpecification(rows: 8, columns: 8, rank: 3, scale: 3, conditionNumber: 3, spectrum: .linear, positiveSemidefinite: true)
        let x = try LowRankTarget.random(spec, seed: 1)
        #expect(x == x.transposed)
        let (values, _) = try Factorizations.symmetricEigen(of: x)
        let top = values.suffix(3).reversed().map { $0 }
        for (a, b) in zip(top, [3.0, 2.0, 1.0]) { #expect(abs(a - b) < 1e-12) }
        #expect(values.prefix(5).allSatisfy { abs($0) < 1e-12 })
    }

    @Test func psdSensingWithAWideFactorFromSmallInit() throws {
        let spec = TargetSpecification(rows: 20, columns: 20, rank: 2, positiveSemidefinite: true)
        let p = try SensingProblem.generate(.symmetricGaussian, target: spec, measurements: 300, seed: 1)
        #expect(p.parameterization == .symmetric)
        let r = try GradientDescent.run(p, options: Self.options(width: 20, step: 0.5, maxIterations: 1500))
        #expect(r.U == r.V)
        #expect(Self.finalTestError(r) < 1e-2)
    }

    @Test func factorizationFromRandomInitWithExactWidth() throws {
        let p = try SensingProblem.generate(.identity, target: TargetSpecification(rows: 15, columns: 10, rank: 3), measurements: 0, seed: 2)
        #expect(p.measurementCount == 150)
        let r = try GradientDescent.run(p, options: Self.options(width: 3, step: 0.3, maxIterations: 800, initScale: 0.1))
        #expect(Self.finalTestError(r) < 1e-6)
    }

    @Test func completionOfA200By150RankThreeMatrix() throws {
        let p = try SensingProblem.generate(.completion, target: TargetSpecification(rows: 200, columns: 150, rank: 3), measurements: 9000, seed: 4)
        var o = Self.options(width: 3, step: 0.5, maxIterations: 1500, initScale: 1e-2)
        o.recordEvery = 100
        let r = try GradientDescent.run(p, options: o)
        #expect(Self.finalTestError(r) < 1e-3)
    }

    @Test func rankOneProjections() throws {
        let p = try SensingProblem.generate(.rankOne, target: TargetSpecification(rows: 12, columns: 10, rank: 2), measurements: 400, seed: 5)
        let r = try GradientDescent.run(p, options: Self.options(width: 4, step: 0.2, maxIterations: 3000))
        #expect(Self.finalTestError(r) < 1e-2)
    }

    @Test func spectralAndSmallRandomInitReachTheSameNeighbourhood() throws {
        let p = try SensingProblem.gaussian(rows: 20, columns: 15, rank: 2, measurements: 400, seed: 6)
        var o = Self.options(width: 2, step: 0.5, maxIterations: 1000)
        let random = try GradientDescent.run(p, options: o)
        o.initialization = .spectral
        let spectral = try GradientDescent.run(p, options: o)
        #expect(Self.finalTestError(random) < 1e-6 && Self.finalTestError(spectral) < 1e-6)
        let gap = BLAS.product(random.U, random.V, transposeB: true).elements
        let other = BLAS.product(spectral.U, spectral.V, transposeB: true).elements
        #expect(BLAS.norm(zip(gap, other).map { $0 - $1 }) < 1e-5)
        // Spectral starts already close: its first test error is far below the random one's.
        #expect((spectral.history.column("test_error")?.first ?? 1) < 0.5)
    }

    @Test func spectralInitOfTheIdentityIsTheBestRankKApproximation() throws {
        let p = try SensingProblem.generate(.identity, target: TargetSpecification(rows: 9, columns: 7, rank: 3), measurements: 0, seed: 7)
        let start = try InitialFactors.spectral(p, width: 3)
        let x = BLAS.product(start.U, try #require(start.V), transposeB: true)
        #expect(BLAS.norm(zip(x.elements, try #require(try p.truth).elements).map { $0 - $1 }) < 1e-12)
        #expect(throws: FactorSenseError.self) { try InitialFactors.spectral(p, width: 8) }
    }

    @Test func balancingRegularizerDrivesTheImbalanceDown() throws {
        let p = try SensingProblem.gaussian(rows: 20, columns: 15, rank: 2, measurements: 400, seed: 8)
        var o = Self.options(width: 4, step: 0.2, maxIterations: 400)
        var sampler = GaussianSampler(seed: 1, stream: .noise)
        let u0 = sampler.matrix(rows: 20, columns: 4, standardDeviation: 0.5)
        let v0 = sampler.matrix(rows: 15, columns: 4, standardDeviation: 0.05)
        o.initialFactors = try InitialFactors(U: u0, V: v0)
        func imbalance(_ r: GradientDescentResult) -> Double {
            var d = BLAS.product(r.U, transposeA: true, r.U)
            BLAS.gemm(-1, r.V, transposeA: true, r.V, 1, &d)
            return d.frobeniusNorm
        }
        let plain = try GradientDescent.run(p, options: o)
        o.balancing = 1
        let balanced = try GradientDescent.run(p, options: o)
        #expect(imbalance(balanced) < 0.1 * imbalance(plain))
    }

    @Test func scaledGDIsFastOnAnIllConditionedTarget() throws {
        let p = try SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 20, columns: 15, rank: 3, conditionNumber: 100),
                                            measurements: 500, seed: 9)
        var o = Self.options(width: 3, step: 0.5, maxIterations: 20000)
        o.initialization = .spectral
        o.lossTolerance = 1e-18  // ‖X − X⋆‖_F/‖X⋆‖_F ≈ 2e-9
        o.recordEvery = 1
        let plain = try GradientDescent.run(p, options: o)
        o.preconditioner = .scaled
        let scaled = try GradientDescent.run(p, options: o)
        #expect(scaled.stopReason == .converged)
        #expect(Self.finalTestError(scaled) < 1e-8)
        #expect(scaled.iterations * 10 < plain.iterations)
    }

    @Test func noiseInjectionPerturbsButStillRecovers() throws {
        let p = try SensingProblem.gaussian(rows: 20, columns: 15, rank: 2, measurements: 400, seed: 10)
        var o = Self.options(width: 2, step: 0.5, maxIterations: 1000)
        o.initialization = .spectral  // exact width from a spectral start: plain GD reaches ~1e-12
        let plain = try GradientDescent.run(p, options: o)
        o.noiseInjection = 1e-6
        let noisy = try GradientDescent.run(p, options: o)
        #expect(Self.finalTestError(plain) < 1e-10)
        // The injected noise keeps the iterates at a floor of order τ, far above plain GD's.
        #expect(Self.finalTestError(noisy) > 100 * Self.finalTestError(plain))
        #expect(Self.finalTestError(noisy) < 1e-4)
    }

    @Test func miniBatchSGDRecoversAndIsReproducible() throws {
        let p = try SensingProblem.gaussian(rows: 15, columns: 12, rank: 2, measurements: 600, seed: 11)
        var o = Self.options(width: 3, step: 0.1, maxIterations: 4000)
        o.batchSize = 100
        let a = try GradientDescent.run(p, options: o)
        let b = try GradientDescent.run(p, options: o)
        #expect(a == b)
        #expect(Self.finalTestError(a) < 0.05)
        #expect(a.history.iterations.last == 4000)
    }

    @Test func symmetricProblemsNeedSquareShapesAndOneFactor() throws {
        let p = try SensingProblem.gaussian(rows: 6, columns: 5, rank: 1, measurements: 30, seed: 0)
        #expect(throws: FactorSenseError.self) { try p.with(.symmetric) }
        let s = try SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 5, columns: 5, rank: 1, positiveSemidefinite: true), measurements: 30)
        var o = GradientDescentOptions()
        o.initialFactors = try InitialFactors.smallRandom(rows: 5, columns: 5, width: 2, scale: 1, seed: 0)
        #expect(throws: FactorSenseError.self) { try GradientDescent.run(s, options: o) }  // V₀ given
    }
}
