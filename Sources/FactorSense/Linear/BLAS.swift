import CBLAS

/// The BLAS calls FactorSense makes, over row-major `Double` buffers. Nothing outside
/// `Linear/` calls CBLAS directly.
///
/// BLAS indexes with 32-bit integers here (OpenBLAS without INTERFACE64), so every dimension
/// handed to these functions must be below 2³¹; problems check that when they are built
/// (`SizeLimits`).
enum BLAS {
    /// ‖x‖₂.
    public static func norm(_ x: [Double]) -> Double {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        return x.withUnsafeBufferPointer { cblas_dnrm2(blasint(x.count), $0.baseAddress, 1) }
    }

    /// xᵀy.
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                cblas_ddot(blasint(x.count), xp.baseAddress, 1, yp.baseAddress, 1)
            }
        }
    }

    /// y ← α·x + y.
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                cblas_daxpy(blasint(xp.count), alpha, xp.baseAddress, 1, yp.baseAddress, 1)
            }
        }
    }

    /// C ← α·op(A)·op(B) + β·C for row-major matrices.
    public static func gemm(
        _ alpha: Double, _ a: Matrix, transposeA: Bool = false,
        _ b: Matrix, transposeB: Bool = false,
        _ beta: Double, _ c: inout Matrix
    ) {
        let cColumns = c.columns
        a.elements.withUnsafeBufferPointer { ap in
            b.elements.withUnsafeBufferPointer { bp in
                c.elements.withUnsafeMutableBufferPointer { cp in
                    gemm(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns,
                         inner: transposeA ? a.rows : a.columns, alpha,
                         ap.baseAddress, a.columns, transposeA: transposeA,
                         bp.baseAddress, b.columns, transposeB: transposeB,
                         beta, cp.baseAddress, cColumns)
                }
            }
        }
    }

    /// C ← α·op(A)·op(B) + β·C over row-major buffers: op(A) is `rows × inner`, op(B) is
    /// `inner × columns`, C is `rows × columns`, each with its leading dimension (the stride
    /// between rows of the matrix as stored). Lets a caller multiply blocks of rows in place.
    static func gemm(
        rows m: Int, columns n: Int, inner k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>?, _ lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Double>?, _ ldb: Int, transposeB: Bool,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>?, _ ldc: Int
    ) {
        OpenBLASCalls.begin(); defer { OpenBLASCalls.end() }
        cblas_dgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha,
            a, blasint(max(lda, 1)), b, blasint(max(ldb, 1)),
            beta, c, blasint(max(ldc, 1)))
    }

    /// op(A)·op(B) as a new matrix.
    public static func product(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false
    ) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows,
                       columns: transposeB ? b.rows : b.columns)
        if c.elements.isEmpty { return c }
        gemm(1, a, transposeA: transposeA, b, transposeB: transposeB, 0, &c)
        return c
    }
}
