import Synchronization

/// The dense decomposition of M = 𝒜*(y) that a problem keeps once it has been computed: all
/// min(n1, n2) singular triplets (the symmetric parameterization: all n eigenpairs of
/// (M + Mᵀ)/2, largest first), so that the spectrum, the predictions, the spectral
/// initialization and the spectral-alignment diagnostic of every later run on the same problem
/// share one LAPACK factorization. The decomposition is deterministic, so a kept one has the
/// bits a recomputed one would. Holds (n1 + n2)·min(n1, n2) doubles once filled, only ever for
/// a problem that the dense method factors (n1·n2 ≤ `SpectralMethod.denseLimit` under `auto`).
final class SpectrumCache: Sendable {
    /// Left vectors (n1 × q), values (descending), right vectors (n2 × q), q = min(n1, n2).
    typealias Decomposition = (left: Matrix, values: [Double], right: Matrix)

    private let stored = Mutex<Decomposition?>(nil)

    /// The kept decomposition, or the one `compute` makes, then kept. Concurrent first calls
    /// compute it once: the others wait for it. A failing `compute` keeps nothing.
    func decomposition(_ compute: () throws(FactorSenseError) -> Decomposition) throws(FactorSenseError) -> Decomposition {
        try stored.withLock { (kept: inout Decomposition?) throws(FactorSenseError) -> Decomposition in
            if let kept { return kept }
            let made = try compute()
            kept = made
            return made
        }
    }
}
