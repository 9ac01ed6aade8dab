/// The top-k singular triplets of a matrix known only through block products (`ImplicitMatrix`),
/// by block subspace iteration with two-sided Rayleigh–Ritz (Halko, Martinsson & Tropp 2011,
/// Algorithm 4.4, iterated to convergence).
///
/// With b = min(2k + 10, n1, n2) columns and Q₀ the Q factor of an n2 × b Gaussian matrix (the
/// seed's stream 10), each iteration t = 1, 2, … computes
///
///     P = orth(M Q_{t−1})            n1 × b, orthonormal columns
///     Z = Mᵀ P                       n2 × b, so that P Zᵀ = P Pᵀ M
///     Zᵀ = W Σ Hᵀ                    the SVD of the small b × n2 matrix
///     Q_t = H,  Ritz triplets (P w_j, σ_j, h_j)
///
/// and stops when the top k Ritz triplets satisfy
///
///     ‖M h_j − σ_j P w_j‖₂ ≤ 10⁻¹⁰ · σ₁       (j = 1 … k)
///
/// (Mᵀ P w_j = σ_j h_j holds exactly by construction, so this residual is the whole backward
/// error). The top k Ritz values converge like (σ_{b+1}/σ_j)^t: fast when the k wanted values
/// stand apart from the rest, slow when σ_k sits inside a cluster — the run then ends with an
/// error after 3000 iterations rather than return a subspace it has not certified.
///
/// The stop request is checked once per iteration (two block products and two small
/// factorizations: well under 0.1 s up to tens of millions of nonzeros).
enum SubspaceIteration {
    static let tolerance = 1e-10
    static let maxIterations = 3000

    /// The columns b of the block for k wanted triplets of an n1 × n2 matrix.
    static func blockSize(count k: Int, rows n1: Int, columns n2: Int) -> Int {
        min(2 * k + 10, n1, n2)
    }

    /// The top k singular triplets M ≈ L diag(σ) Rᵀ (σ descending; L n1 × k, R n2 × k with
    /// orthonormal columns).
    ///
    /// - Throws: `.linearAlgebra` when LAPACK fails or the iteration does not converge,
    ///   `.interrupted` when the current stop request is made.
    static func singularTriplets(of m: ImplicitMatrix, count k: Int, seed: UInt64) throws(FactorSenseError) -> (left: Matrix, values: [Double], right: Matrix) {
        let b = blockSize(count: k, rows: m.rows, columns: m.columns)
        var sampler = GaussianSampler(seed: seed, stream: .spectralStart)
        var q = try Factorizations.orthonormalFactor(of: sampler.matrix(rows: m.columns, columns: b))
        var mq = m.times(q)
        var worst = Double.infinity
        for _ in 0..<maxIterations {
            try StopRequest.checkCurrent("the iterative spectral decomposition")
            let p = try Factorizations.orthonormalFactor(of: mq)
            let z = m.transposeTimes(p)
            let svd = try Factorizations.singularValueDecomposition(of: z.transposed)
            let left = BLAS.product(p, svd.left)
            q = svd.rightTransposed.transposed
            mq = m.times(q)
            worst = largestResidual(mq, left, svd.values, count: k)
            guard worst.isFinite else {
                throw FactorSenseError(.notFinite, "the iterative spectral decomposition met a non-finite value")
            }
            if worst <= tolerance * svd.values[0] {
                return (SubspaceGeometry.leadingColumns(left, k), Array(svd.values.prefix(k)),
                        SubspaceGeometry.leadingColumns(q, k))
            }
        }
        throw FactorSenseError(.linearAlgebra,
            "the iterative spectral decomposition did not converge in \(maxIterations) iterations (largest residual \(worst)): "
            + "the \(k)th singular value of 𝒜*(y) is inside a cluster; use spectral_method \"dense\" or a smaller width")
    }

    /// The top k eigenpairs of S = (M + Mᵀ)/2 by algebraic value (M square): S W = W diag(λ),
    /// λ descending. Iterates on S + cI, with c ≥ ‖S‖₂/2 estimated by 30 power iterations, whose
    /// largest singular values are S's largest eigenvalues plus c (every λ > 0 of S becomes
    /// larger in magnitude than any shifted negative one).
    static func symmetricEigenpairs(of m: ImplicitMatrix, count k: Int, seed: UInt64) throws(FactorSenseError) -> (values: [Double], vectors: Matrix) {
        let c = try spectralNormEstimate(of: m.symmetricPart(shiftedBy: 0), seed: seed)
        let (left, shifted, right) = try singularTriplets(of: m.symmetricPart(shiftedBy: c), count: k, seed: seed)
        // λ_j + c = σ_j ⟨l_j, r_j⟩: the sign of a shifted eigenvalue that stayed negative.
        let values = (0..<k).map { j in shifted[j] * (0..<left.rows).reduce(0.0) { $0 + left[$1, j] * right[$1, j] } - c }
        return (values, left)
    }

    /// ‖S v‖ after 30 power iterations v ← S v / ‖S v‖ from a Gaussian v (stream 10 again): at
    /// most ‖S‖₂, and close to it unless v starts nearly orthogonal to the top eigenvectors.
    private static func spectralNormEstimate(of s: ImplicitMatrix, seed: UInt64) throws(FactorSenseError) -> Double {
        var sampler = GaussianSampler(seed: seed, stream: .spectralStart)
        var v = sampler.matrix(rows: s.columns, columns: 1)
        var norm = 0.0
        for _ in 0..<30 {
            try StopRequest.checkCurrent("the iterative spectral decomposition")
            let length = BLAS.norm(v.elements)
            guard length > 0, length.isFinite else { return norm }
            v.scale(by: 1 / length)
            v = s.times(v)
            norm = BLAS.norm(v.elements)
        }
        return norm
    }

    /// max_{j < k} ‖(M H)_{:,j} − σ_j (P W)_{:,j}‖₂.
    private static func largestResidual(_ mh: Matrix, _ left: Matrix, _ values: [Double], count k: Int) -> Double {
        var worst = 0.0
        for j in 0..<k {
            var sum = 0.0
            for i in 0..<mh.rows {
                let r = mh[i, j] - values[j] * left[i, j]
                sum += r * r
            }
            worst = max(worst, sum.squareRoot())
        }
        return worst
    }
}
