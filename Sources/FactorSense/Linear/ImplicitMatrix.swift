/// An n1 × n2 matrix M known only through its products with blocks of vectors:
/// B (n2 × b) ↦ M·B (n1 × b) and C (n1 × b) ↦ Mᵀ·C (n2 × b).
///
/// The iterative spectral decomposition (`SubspaceIteration`) needs nothing else, so 𝒜*(y) of a
/// completion or rank-one problem is never formed: its products cost O(m·b) and O(m·(n1 + n2)·b).
struct ImplicitMatrix {
    let rows: Int
    let columns: Int
    /// B ↦ M·B.
    let times: (Matrix) -> Matrix
    /// C ↦ Mᵀ·C.
    let transposeTimes: (Matrix) -> Matrix

    /// A dense M through BLAS.
    init(dense m: Matrix) {
        self.init(rows: m.rows, columns: m.columns,
                  times: { BLAS.product(m, $0) },
                  transposeTimes: { BLAS.product(m, transposeA: true, $0) })
    }

    init(rows: Int, columns: Int, times: @escaping (Matrix) -> Matrix, transposeTimes: @escaping (Matrix) -> Matrix) {
        self.rows = rows
        self.columns = columns
        self.times = times
        self.transposeTimes = transposeTimes
    }

    /// The symmetric part shifted by c: S + cI with S = (M + Mᵀ)/2 (M square). A shift c ≥ ‖S‖₂
    /// makes every eigenvalue non-negative, so its largest eigenvalues in magnitude are S's
    /// largest algebraic ones, plus c.
    func symmetricPart(shiftedBy c: Double) -> ImplicitMatrix {
        let product: (Matrix) -> Matrix = { b in
            var s = times(b)
            BLAS.axpy(1, transposeTimes(b).elements, &s.elements)
            s.scale(by: 0.5)
            if c != 0 { BLAS.axpy(c, b.elements, &s.elements) }
            return s
        }
        return ImplicitMatrix(rows: rows, columns: columns, times: product, transposeTimes: product)
    }
}
