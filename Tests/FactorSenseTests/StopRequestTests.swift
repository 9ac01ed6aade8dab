import Testing
@testable import FactorSense

/// Stop requests: where each long computation checks them, and what it leaves behind.
@Suite struct StopRequestTests {
    static let demo = try! SensingProblem.gaussian(rows: 20, columns: 15, rank: 2, measurements: 300, seed: 0)

    static func options(maxIterations: Int = 1000, recordEvery: Int = 1) -> GradientDescentOptions {
        var o = GradientDescentOptions()
        o.width = 4
        o.step = 0.5
        o.maxIterations = maxIterations
        o.recordEvery = recordEvery
        o.seed = 1
        return o
    }

    @Test func aRequestIsSeenUntilReset() throws {
        let stop = StopRequest()
        #expect(!stop.isRequested)
        try stop.check("nothing")
        stop.request()
        #expect(stop.isRequested)
        #expect(throws: FactorSenseError.self) { try stop.check("the work") }
        #expect(StopRequest.current == nil)
        try stop.watch { () throws(FactorSenseError) in #expect(StopRequest.current === stop) }
        #expect(StopRequest.current == nil)
        stop.reset()
        #expect(!stop.isRequested)
    }

    @Test func aRunStopsAtTheIterateItsProgressHandlerInterrupted() throws {
        let stop = StopRequest()
        let result = try GradientDescent.run(Self.demo, options: Self.options(), progress: { snapshot in
            if snapshot.iteration == 7 { stop.request() }
            return false
        }, stop: stop)
        #expect(result.stopReason == .interrupted)
        #expect(result.iterations == 7)
        #expect(result.history.column("iteration") == (0...7).map(Double.init))
        // The same iterate as an uninterrupted run's iterate 7, bit for bit.
        let reference = try GradientDescent.run(Self.demo, options: Self.options(maxIterations: 7))
        #expect(result.U == reference.U && result.V == reference.V)
        #expect(result.history.column("loss") == reference.history.column("loss"))
        #expect(stop.isRequested)  // a Swift request is not consumed: it can stop several runs
    }

    @Test func aMiniBatchRunEndsAtItsLastFullyEvaluatedIterate() throws {
        var options = Self.options(recordEvery: 5)
        options.batchSize = 50
        let stop = StopRequest()
        let result = try GradientDescent.run(Self.demo, options: options, progress: { snapshot in
            if snapshot.iteration == 10 { stop.request() }
            return false
        }, stop: stop)
        #expect(result.stopReason == .interrupted && result.iterations == 10)
        let reference = try GradientDescent.run(Self.demo, options: { var o = options; o.maxIterations = 10; return o }())
        #expect(result.U == reference.U)
        #expect(result.history.column("loss")?.last == reference.history.column("loss")?.last)
    }

    @Test func aRequestBeforeTheRunThrowsInterrupted() {
        let stop = StopRequest()
        stop.request()
        #expect(throws: FactorSenseError(.interrupted,
            "the run was interrupted by a stop request before its first iterate was evaluated")) {
            try GradientDescent.run(Self.demo, options: { var o = Self.options(); o.diagnostics = .chosen([]); return o }(), stop: stop)
        }
        // The spectral alignment's decomposition of 𝒜*(y) comes first when it is recorded.
        #expect(throws: FactorSenseError(.interrupted, "the spectral alignment was interrupted by a stop request")) {
            try GradientDescent.run(Self.demo, options: Self.options(), stop: stop)
        }
        var spectral = Self.options()
        spectral.initialization = .spectral
        #expect(throws: FactorSenseError(.interrupted, "the spectral initialization was interrupted by a stop request")) {
            try GradientDescent.run(Self.demo, options: spectral, stop: stop)
        }
    }

    /// An operator whose 𝒜*(y) is all NaN and makes the stop request while it is formed: the
    /// spectral initialization must stop before LAPACK sees the matrix.
    struct InterruptingOperator: MeasurementOperator {
        let stop: StopRequest
        var measurementCount: Int { 3 }
        var rows: Int { 4 }
        var columns: Int { 4 }
        func apply(_ x: Matrix) -> [Double] { [0, 0, 0] }
        func adjoint(_ residual: [Double]) -> Matrix {
            stop.request()
            return Matrix(rows: 4, columns: 4, repeating: .nan)
        }
        func restricted(to indices: [Int]) -> any MeasurementOperator { self }
    }

    @Test func theSpectralInitializationChecksRightAfterFormingTheMatrix() throws {
        let stop = StopRequest()
        let problem = try SensingProblem(operator: InterruptingOperator(stop: stop), measurements: [1, 2, 3])
        #expect(throws: FactorSenseError(.interrupted, "the spectral initialization was interrupted by a stop request")) {
            try stop.watch { () throws(FactorSenseError) in try InitialFactors.spectral(problem, width: 2) }
        }
    }

    @Test func generationStopsAndThrows() throws {
        let stop = StopRequest()
        stop.request()
        let target = TargetSpecification(rows: 6, columns: 5, rank: 2, scale: 1, conditionNumber: 1)
        for kind in OperatorKind.allCases where kind != .symmetricGaussian {
            #expect(throws: FactorSenseError.self) {
                try SensingProblem.generate(kind, target: target, measurements: 20, seed: 1, stop: stop)
            }
        }
        stop.reset()
        #expect(try SensingProblem.generate(.gaussian, target: target, measurements: 20, seed: 1, stop: stop).rows == 6)
    }

    @Test func theStoppableDrawsAreTheSameDraws() throws {
        var a = GaussianSampler(seed: 5, stream: .sensingOperator)
        var b = GaussianSampler(seed: 5, stream: .sensingOperator)
        let count = 3 * StopRequest.checkInterval + 17
        #expect(try a.stoppableValues(count, standardDeviation: 0.5) == b.values(count, standardDeviation: 0.5))
    }

    @Test func aDensePassIsAbandonedWhenAStopIsRequested() throws {
        let (m, n) = (4096, 512)
        let a = (0..<(m * n)).map { Double($0 % 7) + 1 }
        let x = [Double](repeating: 1, count: n)
        let full = DenseKernels.product(a, rows: m, columns: n, x)
        #expect(full.allSatisfy { $0 != 0 })
        let stop = StopRequest()
        stop.request()
        let abandoned = try stop.watch { () throws(FactorSenseError) in DenseKernels.product(a, rows: m, columns: n, x) }
        #expect(abandoned.allSatisfy { $0 == 0 })  // not one row was computed
    }

    @Test func theSpectralMemoryGuardCountsLAPACKsWorkspace() throws {
        // dgesdd's divide and conquer alone needs 3c² + 4c doubles (dbdsdc); with M, its copy and
        // LAPACKE's transposed copy (3·n1·n2), and P, Qᵀ and their transposed copies, the peak
        // is far above the n1·n2 the guard used to count.
        for (n1, n2) in [(300, 300), (400, 100), (50, 700)] {
            let c = min(n1, n2)
            let problem = try SensingProblem.generate(.completion,
                target: TargetSpecification(rows: n1, columns: n2, rank: 2, scale: 1, conditionNumber: 1),
                measurements: 2 * (n1 + n2), seed: 1)
            let peak = try InitialFactors.spectralPeak(problem, width: 2, method: .dense)
            #expect(peak >= 3 * n1 * n2 + 2 * (n1 + n2) * c + 3 * c * c)
            #expect(peak <= 4 * n1 * n2 + 3 * (n1 + n2) * c + 5 * c * c + 10 * max(n1, n2))  // and not absurd
        }
        let psd = try SensingProblem.generate(.completion,
            target: TargetSpecification(rows: 200, columns: 200, rank: 2, scale: 1, conditionNumber: 1, positiveSemidefinite: true),
            measurements: 800, seed: 1)
        #expect(try InitialFactors.spectralPeak(psd, width: 2, method: .dense) >= 3 * 200 * 200 + 1 + 6 * 200 + 2 * 200 * 200)  // dsyevd's lwork
    }
}
