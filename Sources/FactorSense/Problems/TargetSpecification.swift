#if canImport(Glibc)
import Glibc
#endif

/// What a random low-rank target X⋆ = L diag(s) Rᵀ (or L diag(s) Lᵀ when PSD) looks like.
public struct TargetSpecification: Sendable, Equatable {
    /// How the singular values fall from s₁ = scale to s_r = scale/κ.
    public enum Spectrum: String, Sendable, Equatable {
        /// s_i = scale · κ^{−(i−1)/(r−1)}.
        case geometric
        /// s_i = scale − (i−1)/(r−1) · (scale − scale/κ).
        case linear
    }

    /// n1.
    public var rows: Int
    /// n2 (equal to n1 for a PSD target).
    public var columns: Int
    /// r.
    public var rank: Int
    /// s₁ (> 0).
    public var scale: Double = 1
    /// κ = s₁/s_r (≥ 1).
    public var conditionNumber: Double = 1
    /// The spacing of the singular values.
    public var spectrum: Spectrum = .geometric
    /// Whether X⋆ = L diag(s) Lᵀ is positive semidefinite (then n1 = n2).
    public var positiveSemidefinite = false
    /// Whether X⋆ is symmetric (then n1 = n2): L diag(s) Lᵀ when `positiveSemidefinite`, else
    /// X⋆ = L diag(s₁, −s₂, s₃, −s₄, …) Lᵀ, signs alternating from +, so that X⋆ is indefinite
    /// for r ≥ 2 while its singular values stay s (and κ its condition number); L is the one a
    /// PSD target of the same seed gets. The symmetric Gaussian operator sets it.
    public var symmetric = false

    /// Whether X⋆ = L · Lᵀ-shaped: PSD or symmetric.
    var symmetricShape: Bool { positiveSemidefinite || symmetric }

    public init(rows: Int, columns: Int, rank: Int, scale: Double = 1, conditionNumber: Double = 1,
                spectrum: Spectrum = .geometric, positiveSemidefinite: Bool = false) {
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.scale = scale
        self.conditionNumber = conditionNumber
        self.spectrum = spectrum
        self.positiveSemidefinite = positiveSemidefinite
    }

    /// The singular values s₁ ≥ … ≥ s_r; empty when the specification does not pass `validate()`.
    public var singularValues: [Double] {
        guard (try? validate()) != nil else { return [] }
        guard rank > 1 else { return [scale] }
        let last = Double(rank - 1)
        switch spectrum {
        case .geometric: return (0..<rank).map { scale * pow(conditionNumber, -Double($0) / last) }
        case .linear: return (0..<rank).map { scale - Double($0) / last * (scale - scale / conditionNumber) }
        }
    }

    /// Checks every field is in its domain.
    public func validate() throws(FactorSenseError) {
        guard scale.isFinite else { throw FactorSenseError(.notFinite, "scale must be finite, got \(scale)") }
        guard conditionNumber.isFinite else {
            throw FactorSenseError(.notFinite, "condition_number must be finite, got \(conditionNumber)")
        }
        guard rows >= 1, columns >= 1 else {
            throw FactorSenseError(.invalidArgument, "n1 and n2 must be ≥ 1, got \(rows) and \(columns)")
        }
        try SizeLimits.checkDimension(try SizeLimits.product(rows, columns, "n1 · n2"), "n1 · n2")
        guard !positiveSemidefinite || rows == columns else {
            throw FactorSenseError(.invalidArgument, "a PSD target is square: n1 = n2, got \(rows) and \(columns)")
        }
        guard !symmetric || rows == columns else {
            throw FactorSenseError(.invalidArgument, "a symmetric target is square: n1 = n2, got \(rows) and \(columns)")
        }
        guard rank >= 1, rank <= min(rows, columns) else {
            throw FactorSenseError(.invalidArgument, "rank must be between 1 and min(n1, n2) = \(min(rows, columns)), got \(rank)")
        }
        guard scale > 0 else { throw FactorSenseError(.invalidArgument, "scale must be > 0, got \(scale)") }
        guard conditionNumber >= 1 else {
            throw FactorSenseError(.invalidArgument, "condition_number must be ≥ 1, got \(conditionNumber)")
        }
    }
}
