import Testing
@testable import FactorSense

@Suite struct LinearTests {
    let a = try! Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
    let b = try! Matrix(rows: 3, columns: 2, elements: [1, 0, 0, 1, 1, 1])

    @Test func productsFollowTheRowMajorConvention() throws {
        #expect(BLAS.product(a, b) == (try Matrix(rows: 2, columns: 2, elements: [4, 5, 10, 11])))
        #expect(BLAS.product(a, transposeA: true, a) == BLAS.product(a.transposed, a))
        let c = try Matrix(rows: 4, columns: 3, elements: (0..<12).map(Double.init))
        #expect(BLAS.product(a, c, transposeB: true) == BLAS.product(a, c.transposed))
        let expected: Double = 4 * 6 + 5 * 7 + 6 * 8
        #expect(BLAS.product(a, c, transposeB: true)[1, 2] == expected)
    }

    /// `isFinite` sums 0·x_ij in four lanes and a tail: a NaN or ±∞ at every position of every
    /// length up to 9 is seen, and huge, tiny, and negative-zero entries are finite.
    @Test func isFiniteSeesANonFiniteEntryInEveryLaneAndTail() throws {
        for count in 1...9 {
            let finite = (0..<count).map { [Double.greatestFiniteMagnitude, -0.0, .leastNonzeroMagnitude, -3][$0 % 4] }
            #expect(try Matrix(rows: 1, columns: count, elements: finite).isFinite)
            for position in 0..<count {
                for bad in [Double.nan, .infinity, -.infinity] {
                    var elements = finite
                    elements[position] = bad
                    #expect(try !Matrix(rows: count, columns: 1, elements: elements).isFinite)
                }
            }
        }
        #expect(Matrix(rows: 0, columns: 3).isFinite)
    }

    @Test func matrixRejectsAWrongElementCount() {
        #expect(throws: FactorSenseError.self) { try Matrix(rows: 2, columns: 2, elements: [1, 2, 3]) }
    }

    @Test func orthonormalFactorIsOrthonormalWithPositiveDiagonalR() throws {
        var sampler = GaussianSampler(seed: 1, stream: .targetLeft)
        let g = sampler.matrix(rows: 7, columns: 3)
        let q = try Factorizations.orthonormalFactor(of: g)
        let gram = BLAS.product(q, transposeA: true, q)
        for i in 0..<3 {
            for j in 0..<3 { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-14) }
        }
        let r = BLAS.product(q, transposeA: true, g)  // R = QᵀG, upper triangular
        for i in 0..<3 { #expect(r[i, i] > 0) }
        #expect(abs(r[2, 0]) < 1e-12 && abs(r[1, 0]) < 1e-12 && abs(r[2, 1]) < 1e-12)
    }

    @Test func singularValuesOfADiagonalMatrix() throws {
        let d = try Matrix(rows: 3, columns: 2, elements: [0, -2, 3, 0, 0, 0])
        let s = try Factorizations.singularValues(of: d)
        #expect(abs(s[0] - 3) < 1e-14 && abs(s[1] - 2) < 1e-14)
    }

    @Test func sizeLimitsCatchOverflowAndHugeAllocations() {
        #expect(throws: FactorSenseError(.overflow, "x = \(Int.max) · 2 overflows a 64-bit integer")) {
            try SizeLimits.product(Int.max, 2, "x")
        }
        #expect(throws: FactorSenseError.self) { try SizeLimits.checkAllocation(doubles: Int.max / 8, "big") }
        #expect(throws: FactorSenseError.self) { try SizeLimits.checkDimension(1 << 31, "n") }
    }
}

@Suite struct DenseKernelTests {
    @Test func fusedKernelEqualsItsTwoHalvesBitForBit() {
        for (m, n) in [(5, 3), (300, 250), (17, 9000), (700, 1000)] {  // serial and parallel chunks, long rows
            var sampler = GaussianSampler(seed: UInt64(m), stream: .noise)
            let a = sampler.values(m * n), x = sampler.values(n), y = sampler.values(m)
            let (rho, g) = DenseKernels.residualAndAdjoint(a, rows: m, columns: n, x, y)
            let ax = DenseKernels.product(a, rows: m, columns: n, x)
            #expect(rho == zip(ax, y).map { $0 - $1 })
            #expect(g == DenseKernels.transposedProduct(a, rows: m, columns: n, rho))
            // Against a plain double loop.
            for i in [0, m / 2, m - 1] {
                let reference = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] }
                #expect(abs(ax[i] - reference) <= 1e-12 * max(1, abs(reference)) * Double(n).squareRoot())
            }
            let column = n - 1
            let reference = (0..<m).reduce(0.0) { $0 + a[$1 * n + column] * rho[$1] }
            #expect(abs(g[column] - reference) <= 1e-11 * max(1, abs(reference)))
        }
    }

    @Test func singlePrecisionEntriesComputeAsTheirWidenedDoubles() {
        for (m, n) in [(23, 35), (301, 250), (5, 9000), (701, 1000)] {  // tails of 16 and of 4, long rows, parallel chunks
            var sampler = GaussianSampler(seed: UInt64(n), stream: .noise)
            let single = sampler.values(m * n).map { Float($0) }
            let widened = single.map(Double.init)
            let x = sampler.values(n), y = sampler.values(m)
            let s = DenseKernels.residualAndAdjoint(.single(single), rows: m, columns: n, x, y)
            let d = DenseKernels.residualAndAdjoint(.double(widened), rows: m, columns: n, x, y)
            #expect(s.residual == d.residual && s.adjoint == d.adjoint)
            #expect(DenseKernels.product(.single(single), rows: m, columns: n, x) == DenseKernels.product(widened, rows: m, columns: n, x))
            let i = m - 1
            let reference = (0..<n).reduce(0.0) { $0 + widened[i * n + $1] * x[$1] } - y[i]
            #expect(abs(s.residual[i] - reference) <= 1e-12 * max(1, abs(reference)) * Double(n).squareRoot())
        }
    }
}

@Suite struct SinglePrecisionOperatorTests {
    @Test func roundingKeepsTheShapeAndRoundsEachEntry() throws {
        let op = try DenseOperator.gaussian(measurements: 7, rows: 3, columns: 2, seed: 1)
        let single = try op.stored(in: .single)
        #expect(single.precision == .single && op.precision == .double)
        #expect(single.matrix == op.matrix.map { Double(Float($0)) })
        #expect(try single.stored(in: .single).entries == single.entries)
        let huge = try DenseOperator(measurements: 1, rows: 1, columns: 2, matrix: [1, 1e39])
        #expect(throws: FactorSenseError.self) { try huge.roundedToSinglePrecision() }
        #expect(throws: FactorSenseError.self) {
            try DenseOperator(measurements: 1, rows: 1, columns: 2, singlePrecisionMatrix: [1, .nan])
        }
        #expect(throws: FactorSenseError.self) {
            try DenseOperator(measurements: 1, rows: 1, columns: 2, singlePrecisionMatrix: [1])
        }
    }

    @Test func generationMeasuresWithTheRoundedOperatorAndRefusesOtherKinds() throws {
        let target = TargetSpecification(rows: 6, columns: 5, rank: 2)
        let single = try SensingProblem.generate(.gaussian, target: target, measurements: 40, seed: 2, precision: .single)
        let op = try #require(single.sensingOperator as? DenseOperator)
        #expect(op.precision == .single)
        let truth = try #require(try single.truth)
        #expect(single.measurements == op.apply(truth))
        let restricted = try #require(op.restricted(to: [3, 0]) as? DenseOperator)
        #expect(restricted.precision == .single && restricted.matrix == Array(op.matrix[90..<120] + op.matrix[0..<30]))
        for kind in [OperatorKind.completion, .rankOne, .identity] {
            #expect(throws: FactorSenseError.self) {
                try SensingProblem.generate(kind, target: target, measurements: 20, precision: .single)
            }
        }
    }
}
