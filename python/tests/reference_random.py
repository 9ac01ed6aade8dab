"""An independent Python implementation of FactorSense's documented random draws, for the oracles.

Everything here is written from the documentation of the Swift sources, not from their code paths:

- ``SeededGenerator`` (Sources/FactorSense/Random/SeededGenerator.swift): xoshiro256** (Blackman &
  Vigna 2018) whose four state words are the first four outputs of the splitmix64 sequence started
  at ``splitmix64(seed) ^ (stream · 0x9E3779B97F4A7C15)``; a uniform double is the top 53 bits of
  the next output times 2⁻⁵³. ``below(n)`` is Lemire's "nearly divisionless" draw of an integer in
  [0, n) (arXiv 1805.10941), the method of Swift's ``RandomNumberGenerator.next(upperBound:)``:
  the high word of x·n, redrawing x while the low word is below 2⁶⁴ mod n.
- ``GaussianSampler`` (GaussianSampler.swift): Marsaglia's polar method, u, v = 2·U[0,1) − 1
  until 0 < s = u² + v² < 1, then u·f and v·f with f = √(−2 ln s / s), in that order.
- ``MiniBatchSampler`` (MiniBatchSampler.swift): each batch is a partial Fisher–Yates shuffle of a
  running permutation of 0..<m: for i < b, swap i with i + below(m − i); the batch is the first b.
- The streams of one seed (``RandomStream``): target left 1, target right 2, operator 3, noise 4,
  initialization 5, perturbation 6, mini-batch 7, step estimate 9.

Python's ``math.log`` and ``math.sqrt`` are the C library's, as in the Swift code, so the draws
agree bit for bit.
"""
import math

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
STREAMS = dict(target_left=1, target_right=2, operator=3, noise=4, initialization=5, perturbation=6, minibatch=7,
               step_estimate=9)


def splitmix64_mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class SeededGenerator:
    def __init__(self, seed, stream):
        x = splitmix64_mix(seed & MASK) ^ ((STREAMS[stream] * GOLDEN) & MASK)
        words = []
        for _ in range(4):
            x = (x + GOLDEN) & MASK
            words.append(splitmix64_mix(x))
        self.s = words

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def below(self, n):
        """An integer uniform in [0, n), Lemire's method."""
        product = self.next() * n
        if product & MASK < n:
            threshold = ((1 << 64) - n) % n
            while product & MASK < threshold:
                product = self.next() * n
        return product >> 64


class GaussianSampler:
    def __init__(self, seed, stream):
        self.generator = SeededGenerator(seed, stream)
        self.spare = None

    def next(self):
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        while True:
            u = 2 * self.generator.uniform() - 1
            v = 2 * self.generator.uniform() - 1
            s = u * u + v * v
            if 0 < s < 1:
                f = math.sqrt(-2 * math.log(s) / s)
                self.spare = v * f
                return u * f

    def normals(self, count):
        return np.array([self.next() for _ in range(count)])

    def matrix(self, rows, columns, sigma=1.0):
        """rows × columns entries sigma·N(0, 1), filled row by row."""
        return np.array([sigma * self.next() for _ in range(rows * columns)]).reshape(rows, columns)


class MiniBatchSampler:
    def __init__(self, m, b, seed):
        self.permutation = list(range(m))
        self.b = min(b, m)
        self.generator = SeededGenerator(seed, "minibatch")

    def next(self):
        p, m = self.permutation, len(self.permutation)
        for i in range(self.b):
            j = i + self.generator.below(m - i)
            p[i], p[j] = p[j], p[i]
        return np.array(p[: self.b])


def small_random_init(n1, n2, k, alpha, seed, psd=False, ratio=1.0):
    """U₀ = (α/√k)·N(0,1)^{n1×k}, then V₀ = (β/√k)·N(0,1)^{n2×k} with β = ratio·α (none when
    PSD), from the initialization stream."""
    sampler = GaussianSampler(seed, "initialization")
    U = sampler.matrix(n1, k, alpha / math.sqrt(k))
    return U, (None if psd else sampler.matrix(n2, k, ratio * alpha / math.sqrt(k)))
