/// M = 𝒜*(y) as an `ImplicitMatrix`, formed only where the operator's own storage is already
/// larger than M (dense and identity operators).
///
/// - entry sampling, M = c Σ_i y_i e_{a_i} e_{b_i}ᵀ: (M·B)_{a_i,:} += c y_i B_{b_i,:} and
///   (Mᵀ·C)_{b_i,:} += c y_i C_{a_i,:}, O(m·b);
/// - rank-one, M = c 𝐀ᵀ diag(y) 𝐁: M·B = c 𝐀ᵀ(diag(y)(𝐁B)) and Mᵀ·C = c 𝐁ᵀ(diag(y)(𝐀C)),
///   O(m·(n1 + n2)·b); symmetric rank-one, M = Mᵀ = (c/2)(𝐀ᵀ diag(y) 𝐁 + 𝐁ᵀ diag(y) 𝐀):
///   M·B = ½(c 𝐀ᵀ(diag(y)(𝐁B)) + c 𝐁ᵀ(diag(y)(𝐀B))), twice the cost;
/// - any other operator: its adjoint 𝒜*(y), formed once, through BLAS.
extension SensingProblem {
    func adjointOfMeasurements() -> ImplicitMatrix {
        let y = measurements
        switch sensingOperator {
        case let entries as EntrySamplingOperator:
            return ImplicitMatrix(rows: rows, columns: columns,
                                  times: { entries.scatter(y, rows: entries.rowIndices, from: $0, at: entries.columnIndices, into: entries.rows) },
                                  transposeTimes: { entries.scatter(y, rows: entries.columnIndices, from: $0, at: entries.rowIndices, into: entries.columns) })
        case let rankOne as RankOneOperator where rankOne.isSymmetric:
            let times = { (b: Matrix) -> Matrix in
                var sum = rankOne.weightedProduct(y, outer: rankOne.left, inner: rankOne.right, b)
                BLAS.axpy(1, rankOne.weightedProduct(y, outer: rankOne.right, inner: rankOne.left, b).elements, &sum.elements)
                sum.scale(by: 0.5)
                return sum
            }
            return ImplicitMatrix(rows: rows, columns: columns, times: times, transposeTimes: times)
        case let rankOne as RankOneOperator:
            return ImplicitMatrix(rows: rows, columns: columns,
                                  times: { rankOne.weightedProduct(y, outer: rankOne.left, inner: rankOne.right, $0) },
                                  transposeTimes: { rankOne.weightedProduct(y, outer: rankOne.right, inner: rankOne.left, $0) })
        default:
            return ImplicitMatrix(dense: sensingOperator.adjoint(y))
        }
    }

    /// The doubles `adjointOfMeasurements()` holds while it multiplies blocks of b columns:
    /// nothing for entry sampling, the m × b products 𝐈B of both factors (m · 2b) for rank-one,
    /// and for any other operator M itself with what forming it takes (`formingAdjoint`).
    func adjointOfMeasurementsPeak(block b: Int, formingAdjoint: Int) throws(FactorSenseError) -> Int {
        switch sensingOperator {
        case is EntrySamplingOperator: 0
        case is RankOneOperator: try SizeLimits.product(measurementCount, try SizeLimits.product(2, b, "2b"), "m · 2b")
        default: formingAdjoint
        }
    }
}

extension EntrySamplingOperator {
    /// Z with Z_{target_i,:} += c y_i B_{source_i,:}, Z of `count` rows.
    fileprivate func scatter(_ y: [Double], rows target: [Int], from b: Matrix, at source: [Int], into count: Int) -> Matrix {
        let width = b.columns
        let c = scale
        var z = Matrix(rows: count, columns: width)
        z.elements.withUnsafeMutableBufferPointer { zp in
            b.elements.withUnsafeBufferPointer { bp in
                y.withUnsafeBufferPointer { yp in
                    target.withUnsafeBufferPointer { tp in
                        source.withUnsafeBufferPointer { sp in
                            guard let zBase = zp.baseAddress, let bBase = bp.baseAddress else { return }
                            for i in 0..<yp.count {
                                let weight = c * yp[i]  // c y_i
                                let to = zBase + tp[i] * width, from = bBase + sp[i] * width
                                for j in 0..<width { to[j] += weight * from[j] }
                            }
                        }
                    }
                }
            }
        }
        return z
    }
}

extension RankOneOperator {
    /// c 𝐎ᵀ diag(y) (𝐈 B): the outer factor 𝐎 and the inner 𝐈 are 𝐀 and 𝐁 in either order.
    fileprivate func weightedProduct(_ y: [Double], outer: Matrix, inner: Matrix, _ b: Matrix) -> Matrix {
        var projected = BLAS.product(inner, b)  // m × b, row i = (inner row i)ᵀ B
        let width = b.columns
        for i in 0..<projected.rows {
            let weight = scale * y[i]
            for j in 0..<width { projected.elements[i * width + j] *= weight }
        }
        return BLAS.product(outer, transposeA: true, projected)
    }
}
