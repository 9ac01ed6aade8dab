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

    /// The method called `name` ("auto", "dense", "iterative").
    ///
    /// - Throws: `.invalidArgument` for any other name, listing these.
    public static func named(_ name: String) throws(FactorSenseError) -> SpectralMethod {
        guard let method = SpectralMethod(rawValue: name) else {
            throw FactorSenseError(.invalidArgument,
                "spectral_method must be one of \"auto\", \"dense\", \"iterative\", got \(FactorSenseError.quoted(name))")
        }
        return method
    }

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
    /// - Throws: `.notFinite` when 𝒜*(y) (or a product with it) overflows double precision;
    ///   `.linearAlgebra` when LAPACK fails or the iteration does not converge,
    ///   `.interrupted` when the current stop request is made.
    func topSpectralPairs(count k: Int, method: SpectralMethod, seed: UInt64, purpose: String) throws(FactorSenseError) -> (left: Matrix, values: [Double], right: Matrix) {
        let symmetric = parameterization == .symmetric
        switch (method.resolved(rows: rows, columns: columns), symmetric) {
        case (.iterative, false):
            return try SubspaceIteration.singularTriplets(of: adjointOfMeasurements(), count: k, seed: seed)
        case (.iterative, true):
            let (values, vectors) = try SubspaceIteration.symmetricEigenpairs(of: adjointOfMeasurements(), count: k, seed: seed)
            return (vectors, values, vectors)
        case (_, _):
            try StopRequest.checkCurrent(purpose)  // a pending stop is seen here even when the decomposition is kept
            let kept = try cache.decomposition { () throws(FactorSenseError) in try denseDecomposition(purpose) }
            return (SubspaceGeometry.leadingColumns(kept.left, k), Array(kept.values.prefix(k)),
                    SubspaceGeometry.leadingColumns(kept.right, k))
        }
    }

    /// The top singular values of M = 𝒜*(y) (the symmetric parameterization: the largest
    /// eigenvalues of (M + Mᵀ)/2, which may be negative), λ₁ ≥ … ≥ λ_count: what the linearization
    /// of gradient descent around 0 grows by, U_t ≈ (I + η𝒜*(y))ᵗU₀. The dense method keeps its
    /// decomposition on the problem, so asking again (or running the spectral initialization, or
    /// recording the spectral alignment) does not factor M again.
    ///
    /// - Throws: `.invalidArgument` unless 1 ≤ count ≤ min(n1, n2); `.linearAlgebra` when LAPACK
    ///   fails or the iteration does not converge; `.outOfMemory` when M and its factorization
    ///   do not fit; `.interrupted` when `stop` (or the current request) is made.
    public func spectrum(count: Int, method: SpectralMethod = .auto, seed: UInt64 = 0,
                         stop: StopRequest? = nil) throws(FactorSenseError) -> [Double] {
        guard count >= 1, count <= min(rows, columns) else {
            throw FactorSenseError(.invalidArgument, "count must be between 1 and min(n1, n2) = \(min(rows, columns)), got \(count)")
        }
        try checkSpectralMemory(method: method)
        return try StopRequest.watching(stop) { () throws(FactorSenseError) in
            try topSpectralPairs(count: count, method: method, seed: seed, purpose: "the spectrum of 𝒜*(y)").values
        }
    }

    /// Refuses, before allocating, a dense factorization whose M and workspace do not fit.
    func checkSpectralMemory(method: SpectralMethod) throws(FactorSenseError) {
        guard method.resolved(rows: rows, columns: columns) == .dense else { return }
        let cells = try SizeLimits.product(rows, columns, "n1 · n2")
        try SizeLimits.checkAllocation(doubles: try SizeLimits.product(cells, 3, "n1 · n2 matrices"),
                                       "the dense decomposition of 𝒜*(y) (n1 = \(rows), n2 = \(columns))")
    }

    /// All pairs of M = 𝒜*(y) by LAPACK: the thin SVD (dgesdd), or for the symmetric
    /// parameterization the eigendecomposition of (M + Mᵀ)/2 (dsyevd) reordered largest first.
    private func denseDecomposition(_ purpose: String) throws(FactorSenseError) -> ProblemCache.Decomposition {
        var m = try formedAdjoint(purpose)
        guard parameterization == .symmetric else {
            let svd = try Factorizations.singularValueDecomposition(of: m)
            try StopRequest.checkCurrent(purpose)
            return (svd.left, svd.values, svd.rightTransposed.transposed)
        }
        m.symmetrize()
        let (eigenvalues, vectors) = try Factorizations.symmetricEigen(of: m)
        try StopRequest.checkCurrent(purpose)
        let n = m.rows
        var descending = Matrix(rows: n, columns: n)
        for j in 0..<n {
            for i in 0..<n { descending[i, j] = vectors[i, n - 1 - j] }  // eigenvalues ascend: reverse them
        }
        return (descending, eigenvalues.reversed(), descending)
    }

    /// M = 𝒜*(y), densely, watching the current stop request while it is formed.
    private func formedAdjoint(_ purpose: String) throws(FactorSenseError) -> Matrix {
        try StopRequest.checkCurrent(purpose)
        let m = sensingOperator.adjoint(measurements)
        try StopRequest.checkCurrent(purpose)  // 𝒜*(y) may have been abandoned
        if let bad = m.elements.firstIndex(where: { !$0.isFinite }) {
            throw FactorSenseError(.notFinite,
                "𝒜*(y) has a non-finite entry \(m.elements[bad]) at (\(bad / m.columns), \(bad % m.columns)) for \(purpose): "
                + "the measurements or the operator are so large that 𝒜*(y) overflows double precision; scale them down")
        }
        return m
    }
}
