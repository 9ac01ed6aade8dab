/// The subspaces a run's factors are compared with, computed once per problem (`ProblemCache`):
/// the compact SVD of the truth X⋆ = L⋆ diag(s⋆) R⋆ᵀ, and the top-r singular subspaces of 𝒜*(y).
struct ReferenceSubspaces {
    /// L⋆ (n1 × r), orthonormal columns.
    var left: Matrix
    /// s⋆₁ ≥ … ≥ s⋆_r > 0.
    var values: [Double]
    /// R⋆ (n2 × r), orthonormal columns.
    var right: Matrix

    /// r, the numerical rank.
    var rank: Int { values.count }

    /// The compact SVD of the truth. Its rank r counts the singular values above
    /// max(n1, n2)·ε·s₁ (exactly the rank of a generated target); r = 0 for X⋆ = 0.
    /// Throws `.notFinite` when s₁ overflows double precision. For factors X⋆ = ABᵀ, as
    /// generated targets are kept: A = Q_A R_A, B = Q_B R_B, R_A R_Bᵀ = P S Wᵀ, so
    /// L⋆ = Q_A P, R⋆ = Q_B W — no n1 × n2 matrix.
    static func truth(_ truth: GroundTruth) throws(FactorSenseError) -> ReferenceSubspaces {
        let (left, values, right): (Matrix, [Double], Matrix)
        switch truth {
        case .dense(let x):
            let svd = try Factorizations.singularValueDecomposition(of: x)
            (left, values, right) = (svd.left, svd.values, svd.rightTransposed.transposed)
        case .factored(let a, let b):
            let qa = try Factorizations.orthonormalFactor(of: a)
            let qb = try Factorizations.orthonormalFactor(of: b)
            let core = BLAS.product(BLAS.product(qa, transposeA: true, a), BLAS.product(qb, transposeA: true, b), transposeB: true)
            let svd = try Factorizations.singularValueDecomposition(of: core)
            (left, values, right) = (BLAS.product(qa, svd.left), svd.values, BLAS.product(qb, svd.rightTransposed, transposeB: true))
        }
        if let top = values.first, !top.isFinite {
            throw FactorSenseError(.notFinite,
                "the truth's largest singular value is \(top): X⋆ (‖X⋆‖ up to \(truth.rows) · \(truth.columns) times its largest entry) "
                + "overflows double precision; scale the problem down")
        }
        let cutoff = Double(max(truth.rows, truth.columns)) * Double.ulpOfOne * (values.first ?? 0)
        let r = values.prefix { $0 > cutoff }.count
        return ReferenceSubspaces(left: SubspaceGeometry.leadingColumns(left, r), values: Array(values.prefix(r)),
                                  right: SubspaceGeometry.leadingColumns(right, r))
    }

    /// The truth's compact SVD (`truth(_:)`) of `problem`, kept on the problem once computed.
    static func truth(of problem: SensingProblem) throws(FactorSenseError) -> ReferenceSubspaces? {
        guard let groundTruth = problem.groundTruth else { return nil }
        return try problem.cache.truthSubspaces { () throws(FactorSenseError) in try truth(groundTruth) }
    }

    /// The top-r singular subspaces of M = 𝒜*(y) and its singular values; for the symmetric
    /// parameterization the top-r eigenvectors of (M + Mᵀ)/2 (largest eigenvalues), both sides.
    /// `method` and `seed` as for the spectral initialization.
    static func spectral(of problem: SensingProblem, rank r: Int, method: SpectralMethod, seed: UInt64) throws(FactorSenseError) -> ReferenceSubspaces {
        let (left, values, right) = try problem.topSpectralPairs(count: r, method: method, seed: seed, purpose: "the spectral alignment")
        return ReferenceSubspaces(left: left, values: values, right: right)
    }
}
