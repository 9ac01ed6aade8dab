import Testing
@testable import FactorSense

@Suite struct RandomTests {
    @Test func xoshiroMatchesTheReferenceSequence() {
        // Blackman & Vigna's xoshiro256** from state {1, 2, 3, 4}.
        var generator = SeededGenerator(state: (1, 2, 3, 4))
        #expect(generator.next() == 11520)
        #expect(generator.next() == 0)
        #expect(generator.next() == 1_509_978_240)
        #expect(generator.next() == 1_215_971_899_390_074_240)
    }

    @Test func seedingMatchesAnIndependentImplementation() {
        // Values from a separate Python implementation of the seeding documented in SeededGenerator.
        var a = SeededGenerator(seed: 42, stream: 0)
        #expect([a.next(), a.next(), a.next()] == [0xB462_CCCA_6B95_E916, 0xDCC6_82E2_FCEB_679B, 0xCDB5_D6CA_EA17_91CA])
        var b = SeededGenerator(seed: 0, stream: 5)
        #expect([b.next(), b.next()] == [0x7A99_B5BF_94F8_CA67, 0x067B_0240_F9B4_586B])
    }

    @Test func streamsAndSeedsDiffer() {
        var a = SeededGenerator(seed: 7, stream: 1)
        var b = SeededGenerator(seed: 7, stream: 2)
        var c = SeededGenerator(seed: 8, stream: 1)
        let x = a.next()
        #expect(x != b.next())
        #expect(x != c.next())
    }

    @Test func uniformsLieInTheUnitInterval() {
        var generator = SeededGenerator(seed: 3)
        let values = (0..<10_000).map { _ in generator.nextUniform() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 0.5) < 0.02)
    }

    @Test func gaussianMomentsAreStandard() {
        var sampler = GaussianSampler(seed: 11, stream: .noise)
        let values = sampler.values(200_000)
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        let fourth = values.map { $0 * $0 * $0 * $0 }.reduce(0, +) / n
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.01)
        #expect(abs(fourth - 3) < 0.06)
    }

    @Test func gaussianDrawsAreReproducible() {
        var a = GaussianSampler(seed: 5, stream: .initialization)
        var b = GaussianSampler(seed: 5, stream: .initialization)
        #expect(a.values(101) == b.values(101))
    }
}
