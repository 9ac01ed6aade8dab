import CBLAS

/// The LAPACK factorizations FactorSense uses, through LAPACKE in row-major layout.
enum Factorizations {
    /// The Q factor of the thin QR factorization A = QR of a `rows × columns` matrix
    /// (rows ≥ columns), with signs fixed so that diag(R) is non-negative.
    ///
    /// Fixing the signs makes Q a function of A alone, and makes Q Haar-distributed on the
    /// Stiefel manifold when A has iid N(0, 1) entries (Mezzadri 2007).
    public static func orthonormalFactor(of a: Matrix) throws(FactorSenseError) -> Matrix {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        try checkFinite(a)
        let (m, n) = (a.rows, a.columns)
        guard m >= n, n >= 1 else {
            throw FactorSenseError(.internal, "QR needs rows ≥ columns ≥ 1, got \(m) × \(n)")
        }
        var q = a
        var tau = [Double](repeating: 0, count: n)
        var info = q.elements.withUnsafeMutableBufferPointer { qp in
            tau.withUnsafeMutableBufferPointer { tp in
                LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), qp.baseAddress,
                               Int32(n), tp.baseAddress)
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "dgeqrf failed with info \(info)") }
        let signs = (0..<n).map { q[$0, $0] < 0 ? -1.0 : 1.0 }
        info = q.elements.withUnsafeMutableBufferPointer { qp in
            tau.withUnsafeBufferPointer { tp in
                LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n),
                               qp.baseAddress, Int32(n), tp.baseAddress)
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "dorgqr failed with info \(info)") }
        for i in 0..<m {
            for j in 0..<n where signs[j] < 0 { q[i, j] = -q[i, j] }
        }
        return q
    }

    /// The R factor of A = QR for an m × n matrix: min(m, n) × n, upper trapezoidal.
    public static func triangularFactor(of a: Matrix) throws(FactorSenseError) -> Matrix {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        try checkFinite(a)
        let (m, n) = (a.rows, a.columns)
        var work = a
        var tau = [Double](repeating: 0, count: max(min(m, n), 1))
        let info = work.elements.withUnsafeMutableBufferPointer { wp in
            tau.withUnsafeMutableBufferPointer { tp in
                LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), wp.baseAddress, Int32(max(n, 1)), tp.baseAddress)
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "dgeqrf failed with info \(info)") }
        var r = Matrix(rows: min(m, n), columns: n)
        for i in 0..<r.rows {
            for j in i..<n { r[i, j] = work[i, j] }
        }
        return r
    }

    /// The singular values σ₁ ≥ σ₂ ≥ … ≥ 0 of A, from LAPACK's divide-and-conquer SVD.
    public static func singularValues(of a: Matrix) throws(FactorSenseError) -> [Double] {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        try checkFinite(a)
        let (m, n) = (a.rows, a.columns)
        let count = min(m, n)
        if count == 0 { return [] }
        var work = a
        var s = [Double](repeating: 0, count: count)
        var unused = [Double](repeating: 0, count: 1)
        let info = work.elements.withUnsafeMutableBufferPointer { wp in
            s.withUnsafeMutableBufferPointer { sp in
                unused.withUnsafeMutableBufferPointer { up in
                    LAPACKE_dgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n),
                                   wp.baseAddress, Int32(n), sp.baseAddress,
                                   up.baseAddress, Int32(max(m, 1)), up.baseAddress, Int32(max(n, 1)))
                }
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "dgesdd failed with info \(info)") }
        return s
    }

    /// The thin SVD A = P diag(σ) Qᵀ (σ descending): P is m × min(m, n), Qᵀ is min(m, n) × n.
    public static func singularValueDecomposition(of a: Matrix) throws(FactorSenseError) -> (left: Matrix, values: [Double], rightTransposed: Matrix) {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        try checkFinite(a)
        let (m, n) = (a.rows, a.columns)
        let count = min(m, n)
        var work = a
        var s = [Double](repeating: 0, count: count)
        var p = Matrix(rows: m, columns: count)
        var qt = Matrix(rows: count, columns: n)
        let info = work.elements.withUnsafeMutableBufferPointer { wp in
            s.withUnsafeMutableBufferPointer { sp in
                p.elements.withUnsafeMutableBufferPointer { pp in
                    qt.elements.withUnsafeMutableBufferPointer { qp in
                        LAPACKE_dgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n),
                                       wp.baseAddress, Int32(n), sp.baseAddress,
                                       pp.baseAddress, Int32(count), qp.baseAddress, Int32(n))
                    }
                }
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "dgesdd failed with info \(info)") }
        return (p, s, qt)
    }

    /// The doubles `singularValueDecomposition(of:)` allocates for an m × n matrix, at its peak:
    /// its copy of A and its outputs (m·n + m·c + c·n + c, c = min(m, n)); the column-major
    /// copies of A, P and Qᵀ that LAPACKE's row-major interface makes (m·n + m·c + c·n); and
    /// dgesdd's workspace, as LAPACK itself reports it, with its 8c integers.
    ///
    /// - Throws: `.overflow` when the workspace is beyond LAPACK's 32-bit sizes, `.linearAlgebra`
    ///   when the query fails.
    public static func singularValueDecompositionPeak(rows m: Int, columns n: Int) throws(FactorSenseError) -> Int {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        let c = min(m, n)
        var dummy = [Double](repeating: 0, count: 1)
        var iwork = [Int32](repeating: 0, count: 1)
        var size = [Double](repeating: 0, count: 1)
        let info = dummy.withUnsafeMutableBufferPointer { d in
            size.withUnsafeMutableBufferPointer { w in
                iwork.withUnsafeMutableBufferPointer { i in
                    LAPACKE_dgesdd_work(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n),
                                        d.baseAddress, Int32(n), d.baseAddress, d.baseAddress, Int32(max(c, 1)),
                                        d.baseAddress, Int32(n), w.baseAddress, -1, i.baseAddress)
                }
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "the dgesdd workspace query failed with info \(info)") }
        let workspace = try lapackWorkspace(size[0], "the SVD of a \(m) × \(n) matrix")
        let matrix = try SizeLimits.product(m, n, "m · n")
        let factors = try SizeLimits.product(m + n, c, "(m + n) · min(m, n)")
        return try checkedSum(matrix, matrix, factors, factors, 5 * c, workspace)
    }

    /// The doubles `symmetricEigen(of:)` allocates for an n × n matrix, at its peak: its copy of
    /// S and the eigenvalues, the column-major copy LAPACKE's row-major interface makes, and
    /// dsyevd's workspaces, as LAPACK itself reports them.
    ///
    /// - Throws: as `singularValueDecompositionPeak`.
    public static func symmetricEigenPeak(size n: Int) throws(FactorSenseError) -> Int {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        var dummy = [Double](repeating: 0, count: 1)
        var size = [Double](repeating: 0, count: 1)
        var integers = [Int32](repeating: 0, count: 1)
        let info = dummy.withUnsafeMutableBufferPointer { d in
            size.withUnsafeMutableBufferPointer { w in
                integers.withUnsafeMutableBufferPointer { i in
                    LAPACKE_dsyevd_work(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                                        Int32(n), d.baseAddress, Int32(n), d.baseAddress, w.baseAddress, -1, i.baseAddress, -1)
                }
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "the dsyevd workspace query failed with info \(info)") }
        let workspace = try lapackWorkspace(size[0], "the eigendecomposition of a \(n) × \(n) matrix")
        let matrix = try SizeLimits.product(n, n, "n · n")
        return try checkedSum(matrix, matrix, n, workspace, Int(integers[0]) / 2 + 1)
    }

    /// The sum of sizes, or `.overflow`.
    private static func checkedSum(_ terms: Int...) throws(FactorSenseError) -> Int {
        var total = 0
        for term in terms {
            let (sum, overflow) = total.addingReportingOverflow(term)
            guard !overflow else { throw FactorSenseError(.overflow, "the memory of a LAPACK factorization overflows a 64-bit integer") }
            total = sum
        }
        return total
    }

    /// A workspace size LAPACK reported (as a double), checked against its 32-bit sizes.
    private static func lapackWorkspace(_ reported: Double, _ what: String) throws(FactorSenseError) -> Int {
        guard reported.isFinite, reported >= 0, reported < Double(Int32.max) else {
            throw FactorSenseError(.overflow,
                "\(what) needs a LAPACK workspace of \(reported) doubles, beyond the \(Int32.max) that LAPACK's 32-bit sizes index")
        }
        return Int(reported)
    }

    /// The eigendecomposition S = W diag(λ) Wᵀ of a symmetric matrix (its upper triangle is
    /// read), λ ascending, the eigenvectors the columns of W.
    public static func symmetricEigen(of a: Matrix) throws(FactorSenseError) -> (values: [Double], vectors: Matrix) {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        try checkFinite(a)
        let n = a.rows
        var w = a
        var values = [Double](repeating: 0, count: n)
        let info = w.elements.withUnsafeMutableBufferPointer { wp in
            values.withUnsafeMutableBufferPointer { vp in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                               Int32(n), wp.baseAddress, Int32(n), vp.baseAddress)
            }
        }
        guard info == 0 else { throw FactorSenseError(.linearAlgebra, "dsyevd failed with info \(info)") }
        return (values, w)
    }

    /// Refuses a matrix with NaN or ±∞ before LAPACK sees it: LAPACK's scaling routine would
    /// print "On entry to DLASCL parameter number 4 had an illegal value" on the caller's stderr
    /// and return garbage. (The diagnostics record NaN for such an iterate.)
    private static func checkFinite(_ a: Matrix) throws(FactorSenseError) {
        guard a.elements.allSatisfy(\.isFinite) else {
            throw FactorSenseError(.notFinite,
                "a \(a.rows) × \(a.columns) matrix with a non-finite entry (NaN, or an overflow of double precision) cannot be factored; scale the problem down")
        }
    }

    /// P⁻¹ for a symmetric positive definite P, by Cholesky (dpotrf, dpotri); nil when P is
    /// not numerically positive definite.
    public static func inverseOfPositiveDefinite(_ p: Matrix) -> Matrix? {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        let n = p.rows
        var w = p
        let info = w.elements.withUnsafeMutableBufferPointer { wp in
            let factored = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(n), wp.baseAddress, Int32(n))
            return factored != 0 ? factored : LAPACKE_dpotri(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(n), wp.baseAddress, Int32(n))
        }
        guard info == 0 else { return nil }
        for i in 0..<n {
            for j in 0..<i { w[i, j] = w[j, i] }  // dpotri fills the upper triangle only
        }
        return w
    }
}
