#if canImport(Glibc)
import Glibc
#endif

/// Random low-rank targets X⋆ = L diag(s) Rᵀ (SPEC.md, "Targets").
public enum LowRankTarget {
    /// The singular values s₁ ≥ … ≥ s_r: geometric from `scale` down to `scale / conditionNumber`,
    /// s_i = scale · κ^{−(i−1)/(r−1)} (s₁ = scale when r = 1).
    public static func spectrum(rank r: Int, scale: Double, conditionNumber kappa: Double) -> [Double] {
        guard r > 1 else { return [scale] }
        return (0..<r).map { i in scale * pow(kappa, -Double(i) / Double(r - 1)) }
    }

    /// X⋆ = L diag(s) Rᵀ with L (n1 × r) and R (n2 × r) Haar-random orthonormal — the Q factors,
    /// signs fixed, of Gaussian matrices drawn from the `.targetLeft` and `.targetRight` streams
    /// of `seed` — and s from `spectrum(rank:scale:conditionNumber:)`.
    ///
    /// - Throws: `.invalidArgument` unless 1 ≤ r ≤ min(n1, n2), scale > 0 and κ ≥ 1;
    ///   `.notFinite` for a non-finite scale or κ.
    public static func random(
        rows n1: Int, columns n2: Int, rank r: Int,
        scale: Double, conditionNumber kappa: Double, seed: UInt64
    ) throws(FactorSenseError) -> Matrix {
        try validate(rows: n1, columns: n2, rank: r, scale: scale, conditionNumber: kappa)
        var leftSampler = GaussianSampler(seed: seed, stream: .targetLeft)
        var rightSampler = GaussianSampler(seed: seed, stream: .targetRight)
        let left = try Factorizations.orthonormalFactor(of: leftSampler.matrix(rows: n1, columns: r))
        var right = try Factorizations.orthonormalFactor(of: rightSampler.matrix(rows: n2, columns: r))
        let s = spectrum(rank: r, scale: scale, conditionNumber: kappa)
        for i in 0..<n2 {
            for j in 0..<r { right[i, j] *= s[j] }
        }
        return BLAS.product(left, right, transposeB: true)
    }

    static func validate(rows n1: Int, columns n2: Int, rank r: Int, scale: Double, conditionNumber kappa: Double) throws(FactorSenseError) {
        guard scale.isFinite else { throw FactorSenseError(.notFinite, "scale must be finite, got \(scale)") }
        guard kappa.isFinite else { throw FactorSenseError(.notFinite, "condition_number must be finite, got \(kappa)") }
        guard r >= 1, r <= min(n1, n2) else {
            throw FactorSenseError(.invalidArgument, "rank must be between 1 and min(n1, n2) = \(min(n1, n2)), got \(r)")
        }
        guard scale > 0 else { throw FactorSenseError(.invalidArgument, "scale must be > 0, got \(scale)") }
        guard kappa >= 1 else { throw FactorSenseError(.invalidArgument, "condition_number must be ≥ 1, got \(kappa)") }
    }
}
