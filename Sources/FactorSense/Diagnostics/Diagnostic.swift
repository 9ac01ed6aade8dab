/// A quantity a run can record at every recorded iterate, beside the iteration, time, loss,
/// test error and residual that are always recorded (docs/mathematics.md, "Diagnostics").
///
/// With X = UVᵀ (or UUᵀ), its singular values σ₁ ≥ σ₂ ≥ …, the truth's compact SVD
/// X⋆ = L⋆ S⋆ R⋆ᵀ of rank r, and the top-r singular subspaces P (left) and Q (right) of 𝒜*(y):
public enum Diagnostic: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    /// σ₁(X) ≥ … ≥ σ_c(X), c values a row (`singularValueCount`).
    case singularValues = "singular_values"
    /// exp(−Σ pᵢ ln pᵢ) with pᵢ = σᵢ/Σⱼσⱼ over every singular value of X (Roy & Vetterli).
    case effectiveRank = "effective_rank"
    /// #{i : σᵢ(X) > 10⁻³ σ₁(X)}.
    case numericalRank = "numerical_rank"
    /// ‖UᵀU − VᵀV‖_F (NaN for the symmetric parameterization, where it is 0 by construction).
    case imbalance
    /// ‖L⋆⊥ᵀ P_r(U)‖: the sine of the largest principal angle between the top-r left singular
    /// subspace of U and the column space of L⋆ (needs a truth).
    case alignmentLeft = "alignment_left"
    /// ‖R⋆⊥ᵀ P_r(V)‖, the same for V and R⋆ (needs a truth).
    case alignmentRight = "alignment_right"
    /// ‖P⊥ᵀ P_r(U)‖: the same sine against the top-r left singular subspace of 𝒜*(y) (PSD: its
    /// top-r eigenvectors); needs no truth, only r.
    case spectralAlignmentLeft = "spectral_alignment_left"
    /// ‖Q⊥ᵀ P_r(V)‖, the same against the top-r right singular subspace of 𝒜*(y).
    case spectralAlignmentRight = "spectral_alignment_right"
    /// σ_min(L⋆ᵀU), the signal part of U (Stöger & Soltanolkotabi).
    case signal
    /// ‖U W⊥‖, W⊥ spanning the kernel of L⋆ᵀU: the part of U that does not touch L⋆.
    case noise
    /// ‖E‖₂ with E = 𝒜*(𝒜X − y) − (X − X⋆) = (𝒜*𝒜 − I)(X − X⋆) − 𝒜*ξ, the perturbation of Wind's
    /// perturbed gradient flow (noise term included; its symmetric part for X = UUᵀ).
    case perturbation
    /// ‖E‖_F.
    case perturbationFrobenius = "perturbation_frobenius"

    /// Every diagnostic except the perturbation, which costs a pass over the operator and an
    /// SVD of an n1 × n2 matrix at every recorded iterate. The spectral alignment is included
    /// only when n1·n2 ≤ `spectralDefaultLimit`: it needs the top-r SVD of the dense 𝒜*(y) once
    /// per run.
    public static func defaultSet(rows n1: Int, columns n2: Int) -> Set<Diagnostic> {
        var set = Set(allCases).subtracting([.perturbation, .perturbationFrobenius])
        if n1.multipliedReportingOverflow(by: n2).partialValue > spectralDefaultLimit || n1 > spectralDefaultLimit {
            set.subtract([.spectralAlignmentLeft, .spectralAlignmentRight])
        }
        return set
    }

    /// The largest n1·n2 for which the default set includes the spectral alignment (2²⁰).
    public static let spectralDefaultLimit = 1 << 20

    /// Declaration order, so that a set of diagnostics reads back in a fixed order.
    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }

    /// The diagnostics named by `text`: "default", "all", "none", or names separated by commas.
    ///
    /// - Throws: `.invalidArgument` for an unknown name, with the list of valid ones.
    public static func parse(_ text: String) throws(FactorSenseError) -> DiagnosticSelection {
        switch text {
        case "default": return .default
        case "all": return .chosen(Set(allCases))
        case "none", "": return .chosen([])
        default: break
        }
        var chosen = Set<Diagnostic>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: " ")
            guard let diagnostic = Diagnostic(rawValue: name) else {
                throw FactorSenseError(.invalidArgument,
                    "unknown diagnostic \(FactorSenseError.quoted(name)); the diagnostics are \(allCases.map(\.rawValue).joined(separator: ", ")) (or \"default\", \"all\", \"none\")")
            }
            chosen.insert(diagnostic)
        }
        return .chosen(chosen)
    }
}

/// Which diagnostics a run records.
public enum DiagnosticSelection: Sendable, Equatable {
    /// `Diagnostic.defaultSet(rows:columns:)` of the problem.
    case `default`
    /// Exactly these.
    case chosen(Set<Diagnostic>)

    /// The set for a problem of n1 × n2.
    public func resolved(rows n1: Int, columns n2: Int) -> Set<Diagnostic> {
        switch self {
        case .default: Diagnostic.defaultSet(rows: n1, columns: n2)
        case .chosen(let set): set
        }
    }

    /// "default", "all", "none", or the names in declaration order separated by commas.
    public var text: String {
        switch self {
        case .default: return "default"
        case .chosen(let set):
            if set.isEmpty { return "none" }
            if set.count == Diagnostic.allCases.count { return "all" }
            return set.sorted().map(\.rawValue).joined(separator: ",")
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self[...]
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
