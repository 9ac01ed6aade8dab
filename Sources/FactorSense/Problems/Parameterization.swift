/// How the unknown matrix is factored (docs/mathematics.md, "Parameterizations, losses and gradients").
public enum Parameterization: String, Sendable, Equatable {
    /// X = UVᵀ, f(U, V) = ½‖𝒜(UVᵀ) − y‖², ∇_U f = G V, ∇_V f = Gᵀ U with G = 𝒜*(ρ).
    case asymmetric
    /// X = UUᵀ (PSD, n1 = n2), f(U) = ¼‖𝒜(UUᵀ) − y‖², ∇f = ½(G + Gᵀ) U.
    case symmetric
}
