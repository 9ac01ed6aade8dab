/// Random low-rank targets (docs/mathematics.md, "Targets").
public enum LowRankTarget {
    /// X⋆ = L diag(s) Rᵀ, or L diag(s) Lᵀ when PSD, with L (n1 × r) and R (n2 × r)
    /// Haar-random orthonormal — the Q factors, signs fixed, of Gaussian matrices drawn from the
    /// `.targetLeft` and `.targetRight` streams of `seed` — and s the spec's singular values. A
    /// symmetric, not PSD, target is L diag(s₁, −s₂, s₃, …) Lᵀ (`TargetSpecification.symmetric`),
    /// L from the `.targetLeft` stream alone, as for a PSD target.
    public static func random(_ spec: TargetSpecification, seed: UInt64) throws(FactorSenseError) -> Matrix {
        var x = try factors(spec, seed: seed).matrix
        if spec.symmetricShape { x.symmetrize() }
        return x
    }

    /// The same target as `random(_:seed:)`, kept as its factors X⋆ = (L diag(s)) Rᵀ.
    public static func factors(_ spec: TargetSpecification, seed: UInt64) throws(FactorSenseError) -> GroundTruth {
        try spec.validate()
        var leftSampler = GaussianSampler(seed: seed, stream: .targetLeft)
        let left = try Factorizations.orthonormalFactor(of: leftSampler.matrix(rows: spec.rows, columns: spec.rank))
        var right = left
        if !spec.symmetricShape {
            var rightSampler = GaussianSampler(seed: seed, stream: .targetRight)
            right = try Factorizations.orthonormalFactor(of: rightSampler.matrix(rows: spec.columns, columns: spec.rank))
        }
        let s = spec.singularValues
        var scaled = left
        for i in 0..<scaled.rows {
            for j in 0..<spec.rank {
                let sign = spec.symmetric && !spec.positiveSemidefinite && j % 2 == 1 ? -1.0 : 1.0
                scaled[i, j] *= sign * s[j]
            }
        }
        return .factored(left: scaled, right: right)
    }

    /// The asymmetric target of docs/mathematics.md with a geometric spectrum from `scale` to `scale/κ`.
    public static func random(
        rows n1: Int, columns n2: Int, rank r: Int,
        scale: Double, conditionNumber kappa: Double, seed: UInt64
    ) throws(FactorSenseError) -> Matrix {
        try random(TargetSpecification(rows: n1, columns: n2, rank: r, scale: scale, conditionNumber: kappa), seed: seed)
    }
}
