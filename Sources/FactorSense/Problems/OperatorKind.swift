/// The built-in measurement operators (docs/mathematics.md, "Measurements and operators"), by the names the C and
/// Python layers use.
public enum OperatorKind: String, Sendable, CaseIterable {
    /// (𝒜X)_i = ⟨G_i, X⟩/√m, G_i iid N(0, 1).
    case gaussian
    /// (𝒜X)_i = ⟨(G_i + G_iᵀ)/2, X⟩/√m (n1 = n2); takes only symmetric targets.
    case symmetricGaussian = "symmetric_gaussian"
    /// 𝒜X = vec(X): plain matrix factorization (m = n1·n2).
    case identity
    /// √(n1·n2/m) · X_{a_i b_i} at m distinct uniform positions: matrix completion.
    case completion
    /// a_iᵀ X b_i/√m with Gaussian a_i, b_i drawn independently; for PSD problems the symmetric
    /// a_iᵀ sym(X) b_i/√m (b_i still drawn apart from a_i).
    case rankOne = "rank_one"
}
