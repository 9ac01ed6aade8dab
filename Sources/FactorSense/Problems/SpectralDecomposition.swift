/// How the top pairs of M = 𝒜*(y) are computed, for the spectral initialization and the
/// spectral-alignment diagnostic.
public enum SpectralMethod: String, Sendable, Equatable, CaseIterable {
    /// `dense` when n1·n2 ≤ 2²⁰, `iterative` above.
    case auto
    /// Form M (n1 × n2) and factor it with LAPACK (dgesdd; dsyevd for the symmetric
    /// parameterization): exact to rounding, O(n1·n2·min(n1, n2)) time, not interruptible inside
    /// LAPACK.
    case dense
    /// Block subspace iteration on products with M only (`SubspaceIteration`): M is never formed
    /// for completion and rank-one operators; converged to a residual of 10⁻¹⁰·σ₁; checks the
    /// stop request every iteration.
    case iterative

    /// The largest n1·n2 that `auto` factors densely.
    public static let denseLimit = 1 << 20

    /// `dense` or `iterative`: what this method means for an n1 × n2 problem.
    public func resolved(rows n1: Int, columns n2: Int) -> SpectralMethod {
        guard self == .auto else { return self }
        let (cells, overflow) = n1.multipliedReportingOverflow(by: n2)
        return !overflow && cells <= Self.denseLimit ? .dense : .iterative
    }
}

extension SensingProblem {
    /// The top k pairs of M = 𝒜*(y): for the asymmetric parameterization its singular triplets
    /// M ≈ L diag(σ) Rᵀ (σ descending); for the symmetric one the eigenpairs of (M + Mᵀ)/2 with
    /// the k largest eigenvalues (descending, possibly negative), L = R = the eigenvectors.
    /// `seed` starts the iterative method (the dense one does not use it); `purpose` names the
    /// work in the message of an interruption.
    ///
    /// - Throws: `.linearAlgebra` when LAPACK fails or the iteration does not converge,
    ///   `.interrupted` when the current stop request is made.
    func topSpectralPairs(count k: Int, method: SpectralMethod, seed: UInt64, purpose: String) throws(FactorSenseError) -> (left: Matrix, values: [Double], right: Matrix) {
        let symmetric = parameterization == .symmetric
        switch (method.resolved(rows: rows, columns: columns), symmetric) {
        case (.iterative, false):
            return try SubspaceIteration.singularTriplets(of: adjointOfMeasurements(), count: k, seed: seed)
        case (.iterative, true):
            let (values, vectors) = try SubspaceIteration.symmetricEigenpairs(of: adjointOfMeasurements(), count: k, seed: seed)
            return (vectors, values, vectors)
        case (_, false):
            let m = try formedAdjoint(purpose)
            let svd = try Factorizations.singularValueDecomposition(of: m)
            try StopRequest.checkCurrent(purpose)
            return (SubspaceGeometry.leadingColumns(svd.left, k), Array(svd.values.prefix(k)),
                    SubspaceGeometry.leadingColumns(svd.rightTransposed.transposed, k))
        case (_, true):
            var m = try formedAdjoint(purpose)
            m.symmetrize()
            let (eigenvalues, vectors) = try Factorizations.symmetricEigen(of: m)
            try StopRequest.checkCurrent("the spectral decomposition")
            let n = m.rows
            var top = Matrix(rows: n, columns: k)
            for j in 0..<k {
                for i in 0..<n { top[i, j] = vectors[i, n - 1 - j] }  // eigenvalues ascend: the top k are last
            }
            return (top, (0..<k).map { eigenvalues[n - 1 - $0] }, top)
        }
    }

    /// M = 𝒜*(y), densely, watching the current stop request while it is formed.
    private func formedAdjoint(_ purpose: String) throws(FactorSenseError) -> Matrix {
        try StopRequest.checkCurrent(purpose)
        let m = sensingOperator.adjoint(measurements)
        try StopRequest.checkCurrent(purpose)  // 𝒜*(y) may have been abandoned
        return m
    }
}
