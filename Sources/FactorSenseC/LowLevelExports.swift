import CFactorSense
import FactorSense

@_cdecl("fs_problem_apply") @implementation
public func fs_problem_apply(
    _ problem: OpaquePointer?, _ X: UnsafePointer<Double>?, _ xLength: Int64,
    _ out: UnsafeMutablePointer<Double>?, _ outLength: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let p = try handle.filled()
        let op = p.sensingOperator
        try MemoryBudget.require(PeakMemory.apply(of: op), for: "fs_problem_apply")
        let x = try Buffers.readMatrix(X, length: xLength, rows: op.rows, columns: op.columns, "X")
        try Buffers.finite(x.elements, "X")
        try Buffers.checkOutput(out, length: outLength, count: op.measurementCount, "out")
        Buffers.write(try p.apply(x), to: out)
    }
}

@_cdecl("fs_problem_adjoint") @implementation
public func fs_problem_adjoint(
    _ problem: OpaquePointer?, _ residual: UnsafePointer<Double>?, _ residualLength: Int64,
    _ out: UnsafeMutablePointer<Double>?, _ outLength: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let p = try handle.filled()
        let op = p.sensingOperator
        try MemoryBudget.require(PeakMemory.adjoint(of: op), for: "fs_problem_adjoint")
        let rho = try Buffers.read(residual, length: residualLength, expected: op.measurementCount, "residual")
        try Buffers.finite(rho, "residual")
        try Buffers.checkOutput(out, length: outLength, count: try SizeLimits.product(op.rows, op.columns, "n1 · n2"), "out")
        Buffers.write(try p.adjoint(rho).elements, to: out)
    }
}

@_cdecl("fs_problem_loss_and_gradient") @implementation
public func fs_problem_loss_and_gradient(
    _ problem: OpaquePointer?, _ width: Int64,
    _ U: UnsafePointer<Double>?, _ uLength: Int64,
    _ V: UnsafePointer<Double>?, _ vLength: Int64,
    _ loss: UnsafeMutablePointer<Double>?,
    _ gradU: UnsafeMutablePointer<Double>?, _ gradULength: Int64,
    _ gradV: UnsafeMutablePointer<Double>?, _ gradVLength: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let p = try handle.filled()
        let k = try Buffers.size(width, atLeast: 1, "width")
        try SizeLimits.checkDimension(k, "width")
        try MemoryBudget.require(PeakMemory.lossAndGradient(of: p.sensingOperator, width: k),
                                 for: "fs_problem_loss_and_gradient at width \(k)")
        let u = try Buffers.readMatrix(U, length: uLength, rows: p.rows, columns: k, "U")
        try Buffers.finite(u.elements, "U")
        let v: Matrix
        switch p.parameterization {
        case .symmetric:
            guard V == nil, vLength == 0, gradV == nil, gradVLength == 0 else {
                throw FactorSenseError(.invalidArgument,
                    "a symmetric (PSD) problem has one factor (X = UUᵀ): pass V and grad_V as NULL with length 0")
            }
            v = u
        case .asymmetric:
            v = try Buffers.readMatrix(V, length: vLength, rows: p.columns, columns: k, "V")
            try Buffers.finite(v.elements, "V")
        }
        let factorCount = u.elements.count
        if gradU != nil { try Buffers.checkLength(gradULength, expected: factorCount, "grad_u_length") }
        if gradV != nil { try Buffers.checkLength(gradVLength, expected: v.elements.count, "grad_v_length") }
        let evaluation = try p.lossAndGradient(U: u, V: p.parameterization == .symmetric ? nil : v)
        loss?.pointee = evaluation.loss
        Buffers.write(evaluation.gradientU.elements, to: gradU)
        if p.parameterization == .asymmetric { Buffers.write(evaluation.gradientV.elements, to: gradV) }
    }
}
