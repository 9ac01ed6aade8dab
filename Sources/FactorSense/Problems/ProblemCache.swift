import Synchronization

/// What depends only on a problem, computed once and kept on it (FFTW's plan once, execute
/// many) so that every later run on the same problem — each trial of a batch, a sweep's runs,
/// the spectrum and the predictions — shares it:
///
/// - the dense decomposition of M = 𝒜*(y): all min(n1, n2) singular triplets (the symmetric
///   parameterization: all n eigenpairs of (M + Mᵀ)/2, largest first), which the spectrum, the
///   predictions, the spectral initialization and the spectral-alignment diagnostic use;
///   (n1 + n2)·min(n1, n2) doubles once filled, only for a problem that the dense method factors;
/// - the compact SVD of the truth X⋆ (`ReferenceSubspaces.truth`), (n1 + n2 + 1)·r doubles.
///
/// Both are deterministic, so a kept one has the bits a recomputed one would.
final class ProblemCache: Sendable {
    /// Left vectors (n1 × q), values (descending), right vectors (n2 × q), q = min(n1, n2).
    typealias Decomposition = (left: Matrix, values: [Double], right: Matrix)

    private let decomposition = Mutex<Decomposition?>(nil)
    private let truth = Mutex<ReferenceSubspaces?>(nil)
    private let computations = Atomic<Int>(0)

    /// How many times a `compute` of this cache has run (a test's counter).
    var computed: Int { computations.load(ordering: .relaxed) }

    /// The kept decomposition of 𝒜*(y), or the one `compute` makes, then kept.
    func decomposition(_ compute: () throws(FactorSenseError) -> Decomposition) throws(FactorSenseError) -> Decomposition {
        try kept(decomposition, compute)
    }

    /// The kept subspaces of the truth, or the ones `compute` makes, then kept.
    func truthSubspaces(_ compute: () throws(FactorSenseError) -> ReferenceSubspaces) throws(FactorSenseError) -> ReferenceSubspaces {
        try kept(truth, compute)
    }

    /// Concurrent first calls compute once: the others wait for it. A failing `compute` keeps nothing.
    private func kept<T: Sendable>(_ store: borrowing Mutex<T?>, _ compute: () throws(FactorSenseError) -> T) throws(FactorSenseError) -> T {
        try store.withLock { (kept: inout T?) throws(FactorSenseError) -> T in
            if let kept { return kept }
            computations.add(1, ordering: .relaxed)
            let made = try compute()
            kept = made
            return made
        }
    }
}
