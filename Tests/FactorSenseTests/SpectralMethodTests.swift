import Testing
@testable import FactorSense

/// The iterative spectral decomposition (block subspace iteration on products with 𝒜*(y))
/// against the dense LAPACK one, its implicit products against the formed 𝒜*(y), and its stop
/// request. Python's test_oracle_init.py and test_spectral_method.py compare both with numpy.
@Suite struct SpectralMethodTests {
    static func problem(_ kind: OperatorKind, symmetric: Bool = false) throws -> SensingProblem {
        let n2 = symmetric ? 36 : 28
        let spec = TargetSpecification(rows: 36, columns: n2, rank: 3, scale: 2, conditionNumber: 3, positiveSemidefinite: symmetric)
        return try SensingProblem.generate(kind, target: spec, measurements: 700, seed: 11)
    }

    /// max |AB − CD| over the entries of two products of factor pairs.
    static func productDistance(_ a: InitialFactors, _ b: InitialFactors) -> Double {
        let x = BLAS.product(a.U, a.V ?? a.U, transposeB: true)
        let y = BLAS.product(b.U, b.V ?? b.U, transposeB: true)
        return zip(x.elements, y.elements).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test(arguments: [OperatorKind.completion, .rankOne, .gaussian])
    func iterativeStartEqualsTheDenseOne(kind: OperatorKind) throws {
        for symmetric in [false, true] {
            let p = try Self.problem(kind, symmetric: symmetric)
            let dense = try InitialFactors.spectral(p, width: 4, method: .dense)
            let iterative = try InitialFactors.spectral(p, width: 4, method: .iterative, seed: 5)
            #expect(Self.productDistance(dense, iterative) < 1e-9)
        }
    }

    @Test(arguments: [OperatorKind.completion, .rankOne])
    func implicitProductsEqualTheFormedAdjoint(kind: OperatorKind) throws {
        let p = try Self.problem(kind)
        let m = p.sensingOperator.adjoint(p.measurements)
        let implicit = p.adjointOfMeasurements()
        var sampler = GaussianSampler(seed: 1, stream: .noise)
        let b = sampler.matrix(rows: p.columns, columns: 3)
        let c = sampler.matrix(rows: p.rows, columns: 3)
        let pairs = [(implicit.times(b), BLAS.product(m, b)), (implicit.transposeTimes(c), BLAS.product(m, transposeA: true, c))]
        for (got, expected) in pairs {
            #expect(zip(got.elements, expected.elements).allSatisfy { abs($0 - $1) <= 1e-12 })
        }
    }

    @Test func autoChoosesByTheNumberOfEntries() {
        #expect(SpectralMethod.auto.resolved(rows: 1024, columns: 1024) == .dense)
        #expect(SpectralMethod.auto.resolved(rows: 1025, columns: 1024) == .iterative)
        #expect(SpectralMethod.auto.resolved(rows: Int.max, columns: 2) == .iterative)
        #expect(SpectralMethod.dense.resolved(rows: 5000, columns: 5000) == .dense)
    }

    @Test func aStopRequestEndsTheIteration() throws {
        let p = try Self.problem(.completion)
        let stop = StopRequest()
        stop.request()
        #expect(throws: FactorSenseError.self) {
            try stop.watch { () throws(FactorSenseError) in _ = try InitialFactors.spectral(p, width: 3, method: .iterative) }
        }
    }

    @Test func optionRoundTripsAndRefusesUnknownNames() throws {
        var o = GradientDescentOptions()
        #expect(try o.text("spectral_method") == "auto")
        try o.setText("spectral_method", "iterative")
        #expect(o.spectralMethod == .iterative)
        #expect(throws: FactorSenseError.self) { try o.setText("spectral_method", "randomized") }
        #expect(o.spectralMethod == .iterative)
    }
}
