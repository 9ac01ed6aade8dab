/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna 2018) with its state filled
/// by splitmix64. Only integer arithmetic, so the same seed and stream give the same bits on every
/// platform and thread count. There is no global generator: every random draw in FactorSense
/// comes from one of these, made from an explicit seed.
///
/// Seeding: with splitmix64(x) the mixing function of Steele, Lea & Flood (2014), the four state
/// words are the first four outputs of the splitmix64 sequence started at
/// `splitmix64(seed) ^ (stream · 0x9E3779B97F4A7C15)`. Streams let one seed drive independent
/// parts (the target, the operator, the noise, the initialization) so that changing one size
/// does not change the others' draws.
///
/// Integers in [0, n) (mini-batches, sampled cells) come from the standard library's
/// `next(upperBound: n)`: Lemire's nearly-divisionless method — the high word of the 128-bit
/// product x·n of the next output x, with x redrawn while the low word is below 2⁶⁴ mod n.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// The generator of `stream` under `seed`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = Self.mix(seed) ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        func nextSplitMix() -> UInt64 {
            x = x &+ 0x9E37_79B9_7F4A_7C15
            return Self.mix(x)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// The generator whose xoshiro256** state is `state` (for checks against the reference).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
    }

    /// The splitmix64 finalizer.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform double in [0, 1): the top 53 bits of `next()` times 2⁻⁵³.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// The independent streams of one seed.
public enum RandomStream: UInt64, Sendable {
    case targetLeft = 1, targetRight, sensingOperator, noise, initialization, perturbation, minibatch, holdout, stepEstimate, spectralStart
}
