#if canImport(Glibc)
import Glibc
#endif

/// Computes the chosen diagnostics of one iterate (docs/mathematics.md, "Diagnostics"), each at
/// no more cost than it needs: the singular values of X = UVᵀ by QR-then-SVD of k × k factors,
/// the alignments by thin SVDs of U and V, the references (the truth's compact SVD, the
/// spectral subspace of 𝒜*(y)) once per run. Only the perturbation forms n1 × n2 matrices.
struct DiagnosticComputer {
    /// The recorded diagnostics, in declaration order.
    let recorded: [Diagnostic]
    /// c, the singular values recorded a row.
    let singularValueCount: Int
    /// The truth's compact SVD, when the problem has a truth.
    let truth: ReferenceSubspaces?
    /// The top-r singular subspaces of 𝒜*(y), when a spectral alignment is recorded and r is known.
    let spectral: ReferenceSubspaces?
    private let problem: SensingProblem
    private let truthMatrix: Matrix?
    private let symmetric: Bool

    init(problem: SensingProblem, options: GradientDescentOptions, width k: Int) throws(FactorSenseError) {
        let (n1, n2) = (problem.rows, problem.columns)
        let chosen = options.diagnostics.resolved(rows: n1, columns: n2)
        try options.phaseThresholds.validate()
        self.problem = problem
        self.symmetric = problem.parameterization == .symmetric
        self.recorded = chosen.sorted()
        let available = min(n1, n2, k)
        if let c = options.singularValueCount, c > available {
            throw FactorSenseError(.invalidArgument,
                "singular_value_count is \(c), but X = UVᵀ has at most min(n1, n2, width) = \(available) singular values")
        }
        self.singularValueCount = options.singularValueCount ?? min(available, GradientDescentOptions.defaultSingularValueCount)
        // X⋆ = 0 has no subspaces to align with: its columns are NaN, as without a truth.
        let truth = try ReferenceSubspaces.truth(of: problem).flatMap { $0.rank > 0 ? $0 : nil }
        self.truth = truth
        let rank = options.diagnosticRank ?? truth?.rank
        if let r = options.diagnosticRank, r > min(n1, n2) {
            throw FactorSenseError(.invalidArgument, "rank is \(r), above min(n1, n2) = \(min(n1, n2))")
        }
        let needsSpectral = !chosen.isDisjoint(with: [.spectralAlignmentLeft, .spectralAlignmentRight])
        let needsPerturbation = !chosen.isDisjoint(with: [.perturbation, .perturbationFrobenius])
        let denseSpectral = needsSpectral && options.spectralMethod.resolved(rows: n1, columns: n2) == .dense
        if denseSpectral || (needsPerturbation && problem.groundTruth != nil) {
            let matrices = needsPerturbation ? 4 : 3  // 𝒜*(y) and the SVD's workspace; D, E, 𝒜(D), X⋆
            try SizeLimits.checkAllocation(doubles: try SizeLimits.product(try SizeLimits.product(n1, n2, "n1 · n2"), matrices, "n1 · n2 matrices"),
                                           "the dense n1 × n2 matrices of the \(needsPerturbation ? "perturbation" : "spectral alignment") diagnostic")
        }
        if needsSpectral, let r = rank, r >= 1 {
            self.spectral = try ReferenceSubspaces.spectral(of: problem, rank: r, method: options.spectralMethod, seed: options.seed)
        } else {
            self.spectral = nil
        }
        self.truthMatrix = needsPerturbation ? try problem.groundTruth?.matrix : nil
    }

    /// One value array per recorded diagnostic (c values for the singular values, else one),
    /// NaN where a quantity needs a truth or a rank the run lacks, or an SVD failed.
    /// `residual` is ρ = 𝒜(UVᵀ) − y of these factors, on every measurement.
    func values(U: Matrix, V: Matrix, residual: [Double]) -> [[Double]] {
        var cache = Cache(U: U, V: V, symmetric: symmetric, residual: residual)
        return recorded.map { diagnostic in
            switch diagnostic {
            case .singularValues:
                let sigma = cache.productValues
                return (0..<singularValueCount).map { $0 < sigma.count ? sigma[$0] : .nan }
            default:
                return [(try? scalar(diagnostic, &cache)) ?? .nan]
            }
        }
    }

    private func scalar(_ diagnostic: Diagnostic, _ cache: inout Cache) throws(FactorSenseError) -> Double {
        switch diagnostic {
        case .singularValues: return .nan
        case .effectiveRank: return Self.effectiveRank(cache.productValues)
        case .numericalRank:
            let sigma = cache.productValues
            guard let top = sigma.first, top.isFinite else { return .nan }
            return Double(sigma.filter { $0 > 1e-3 * top }.count)
        case .imbalance:
            guard !symmetric else { return .nan }
            var d = BLAS.product(cache.U, transposeA: true, cache.U)
            BLAS.gemm(-1, cache.V, transposeA: true, cache.V, 1, &d)
            return d.frobeniusNorm
        case .alignmentLeft:
            guard let truth else { return .nan }
            return try SubspaceGeometry.sine(of: cache.left(truth.rank), from: truth.left)
        case .alignmentRight:
            guard let truth else { return .nan }
            return try SubspaceGeometry.sine(of: cache.right(truth.rank), from: truth.right)
        case .spectralAlignmentLeft:
            guard let spectral else { return .nan }
            return try SubspaceGeometry.sine(of: cache.left(spectral.rank), from: spectral.left)
        case .spectralAlignmentRight:
            guard let spectral else { return .nan }
            return try SubspaceGeometry.sine(of: cache.right(spectral.rank), from: spectral.right)
        case .signal:
            guard let truth else { return .nan }
            return try cache.split(truth).signal
        case .noise:
            guard let truth else { return .nan }
            return try cache.split(truth).noise
        case .perturbation, .perturbationFrobenius:
            guard let e = try cache.perturbation(self) else { return .nan }
            return diagnostic == .perturbation ? try SubspaceGeometry.spectralNorm(e) : e.frobeniusNorm
        }
    }

    /// exp(−Σ pᵢ ln pᵢ), pᵢ = σᵢ/Σσ (terms with pᵢ = 0 count 0); NaN when X = 0.
    static func effectiveRank(_ sigma: [Double]) -> Double {
        let total = sigma.reduce(0, +)
        guard total > 0, total.isFinite else { return .nan }
        var entropy = 0.0
        for s in sigma where s > 0 {
            let p = s / total
            entropy -= p * log(p)
        }
        return exp(entropy)
    }

    /// E = 𝒜*(𝒜X − y) − (X − X⋆) = (𝒜*𝒜 − I)(X − X⋆) − 𝒜*ξ, the sensing gradient's G minus the
    /// population flow's, noise term included — exactly the E that drives the flow; for the
    /// symmetric parameterization its symmetric part (E + Eᵀ)/2, the part the flow uses. One
    /// adjoint of the iterate's residual ρ = 𝒜X − y; nil without a truth.
    fileprivate func perturbationMatrix(_ u: Matrix, _ v: Matrix, residual: [Double]) -> Matrix? {
        guard let truthMatrix else { return nil }
        var d = BLAS.product(u, v, transposeB: true)
        BLAS.axpy(-1, truthMatrix.elements, &d.elements)
        var e = problem.sensingOperator.adjoint(residual)
        BLAS.axpy(-1, d.elements, &e.elements)
        if symmetric { e.symmetrize() }
        return e
    }

    /// What several diagnostics of one iterate share, computed on first use.
    private struct Cache {
        let U: Matrix
        let V: Matrix
        let symmetric: Bool
        let residual: [Double]
        private var sigma: [Double]?
        private var perturbationMatrix: Matrix??
        private var uDecomposition: (left: Matrix, values: [Double])?
        private var rightVectors: Matrix?
        private var signalNoise: (signal: Double, noise: Double)?

        init(U: Matrix, V: Matrix, symmetric: Bool, residual: [Double]) {
            self.U = U
            self.V = V
            self.symmetric = symmetric
            self.residual = residual
        }

        /// E, computed once for both of its norms.
        mutating func perturbation(_ computer: DiagnosticComputer) throws(FactorSenseError) -> Matrix? {
            if let perturbationMatrix { return perturbationMatrix }
            let e = computer.perturbationMatrix(U, V, residual: residual)
            perturbationMatrix = .some(e)
            return e
        }

        /// σ(X), all min(n1, n2, k) of them (NaN when the SVD fails): σ(U)² for X = UUᵀ, from the
        /// SVD of U the alignments use too.
        var productValues: [Double] {
            mutating get {
                if let sigma { return sigma }
                let values: [Double]
                if symmetric {
                    values = (try? svdOfU().values.map { $0 * $0 }) ?? [.nan]
                } else {
                    values = (try? SubspaceGeometry.singularValuesOfProduct(U, V, symmetric: false)) ?? [.nan]
                }
                sigma = values
                return values
            }
        }

        /// The thin SVD of U (left vectors and values), computed once.
        mutating func svdOfU() throws(FactorSenseError) -> (left: Matrix, values: [Double]) {
            if let uDecomposition { return uDecomposition }
            let (left, values, _) = try Factorizations.singularValueDecomposition(of: U)
            uDecomposition = (left, values)
            return (left, values)
        }

        /// The top-min(r, k) left singular vectors of U.
        mutating func left(_ r: Int) throws(FactorSenseError) -> Matrix {
            SubspaceGeometry.leadingColumns(try svdOfU().left, min(r, U.columns, U.rows))
        }

        /// The top-min(r, k) left singular vectors of V.
        mutating func right(_ r: Int) throws(FactorSenseError) -> Matrix {
            if symmetric { return try left(r) }
            if let rightVectors { return SubspaceGeometry.leadingColumns(rightVectors, min(r, V.columns, V.rows)) }
            let (q, _, _) = try Factorizations.singularValueDecomposition(of: V)
            rightVectors = q
            return SubspaceGeometry.leadingColumns(q, min(r, V.columns, V.rows))
        }

        /// signal σ_min(L⋆ᵀU) and noise ‖U W⊥‖ = ‖U − (U W)Wᵀ‖ with W the top-min(r, k) right
        /// singular vectors of L⋆ᵀU (r × k), W⊥ their complement in ℝᵏ.
        mutating func split(_ truth: ReferenceSubspaces) throws(FactorSenseError) -> (signal: Double, noise: Double) {
            if let signalNoise { return signalNoise }
            let a = BLAS.product(truth.left, transposeA: true, U)
            let (_, values, wt) = try Factorizations.singularValueDecomposition(of: a)
            let q = min(truth.rank, U.columns)
            let signal = values[q - 1]
            var outside = U
            let w = SubspaceGeometry.leadingColumns(wt.transposed, q)
            BLAS.gemm(-1, BLAS.product(U, w), w, transposeB: true, 1, &outside)
            let result = (signal, q < U.columns ? try SubspaceGeometry.spectralNorm(outside) : 0)
            signalNoise = result
            return result
        }
    }
}
