/// The direction d of a step x⁺ = x − ηd (docs/mathematics.md, "Gradient descent and its
/// variants"): the gradient, or ScaledGD's preconditioned gradient
///
///     d_U = ∇_U f (VᵀV + λI)⁻¹,   d_V = ∇_V f (UᵀU + λI)⁻¹,
///
/// λ = `scaledDamping` (for the symmetric parameterization d_U = ∇_U f (UᵀU + λI)⁻¹ and d_V is
/// not used).
enum StepDirection {
    /// (d_U, d_V) at (U, V) for `evaluation`'s gradients; nil when a Gram matrix plus λI is not
    /// numerically positive definite (the run then ends as diverged).
    static func of(_ evaluation: Evaluation, U: Matrix, V: Matrix, symmetric: Bool,
                   options: GradientDescentOptions) -> (U: Matrix, V: Matrix)? {
        guard options.preconditioner == .scaled else { return (evaluation.gradientU, evaluation.gradientV) }
        guard let inverseU = dampedGramInverse(U, options.scaledDamping) else { return nil }
        if symmetric {  // V = U: one Gram matrix, and only U's direction is used
            return (BLAS.product(evaluation.gradientU, inverseU), evaluation.gradientV)
        }
        guard let inverseV = dampedGramInverse(V, options.scaledDamping) else { return nil }
        let directionU = BLAS.product(evaluation.gradientU, inverseV)
        let directionV = BLAS.product(evaluation.gradientV, inverseU)
        return (directionU, directionV)
    }

    /// (FᵀF + λI)⁻¹, nil when it is not numerically positive definite.
    private static func dampedGramInverse(_ f: Matrix, _ lambda: Double) -> Matrix? {
        var gram = BLAS.product(f, transposeA: true, f)
        for i in 0..<gram.rows { gram[i, i] += lambda }
        return Factorizations.inverseOfPositiveDefinite(gram)
    }
}
