/// Singular subspaces and principal angles, the geometry the diagnostics are made of.
enum SubspaceGeometry {
    /// sin θ_max between span(P) and span(B) for P (n × q) and B (n × r) with orthonormal
    /// columns: ‖B⊥ᵀP‖₂ = ‖P − B(BᵀP)‖₂, the part of P outside span(B). Computed from the
    /// difference itself rather than √(1 − σ_min(BᵀP)²), which loses every digit below 1e-8.
    static func sine(of p: Matrix, from b: Matrix) throws(FactorSenseError) -> Double {
        var outside = p
        BLAS.gemm(-1, b, BLAS.product(b, transposeA: true, p), 1, &outside)
        return try spectralNorm(outside)
    }

    /// ‖A‖₂ = σ₁(A) (0 for an empty matrix).
    static func spectralNorm(_ a: Matrix) throws(FactorSenseError) -> Double {
        guard a.rows > 0, a.columns > 0 else { return 0 }
        return try Factorizations.singularValues(of: a).first ?? 0
    }

    /// The first `count` columns of `a`.
    static func leadingColumns(_ a: Matrix, _ count: Int) -> Matrix {
        var result = Matrix(rows: a.rows, columns: count)
        for i in 0..<a.rows {
            for j in 0..<count { result[i, j] = a[i, j] }
        }
        return result
    }

    /// The nonzero-capable singular values σ₁ ≥ … ≥ σ_q of X = UVᵀ, q = min(n1, n2, k), through
    /// the small QR-then-SVD route: U = Q_U R_U, V = Q_V R_V give X = Q_U (R_U R_Vᵀ) Q_Vᵀ, so
    /// σ(X) = σ(R_U R_Vᵀ), an SVD of a k × k matrix in O((n1 + n2)k² + k³). For X = UUᵀ,
    /// σ(X) = σ(R_U)².
    static func singularValuesOfProduct(_ u: Matrix, _ v: Matrix, symmetric: Bool) throws(FactorSenseError) -> [Double] {
        let ru = try Factorizations.triangularFactor(of: u)
        if symmetric {
            return try Factorizations.singularValues(of: ru).map { $0 * $0 }
        }
        let rv = try Factorizations.triangularFactor(of: v)
        let values = try Factorizations.singularValues(of: BLAS.product(ru, rv, transposeB: true))
        return Array(values.prefix(min(u.rows, v.rows, u.columns)))
    }
}
