import CFactorSense
import FactorSense

// The caller's own target X⋆, measured by a generated operator (SensingProblem.generate with a
// GroundTruth). The spec supplies n1, n2, rank (0: not checked), measurements, psd, noise_level
// and seed; its scale, condition_number and spectrum describe a drawn target and are not read.

@_cdecl("fs_problem_generate_for_target") @implementation
public func fs_problem_generate_for_target(
    _ problem: OpaquePointer?, _ operatorKind: UnsafePointer<CChar>?, _ spec: UnsafePointer<fs_problem_spec>?,
    _ target: UnsafePointer<Double>?, _ targetLength: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let kind = try OperatorKind.named(operatorKind)
        let s = try ProblemSpec.read(spec)
        let (n1, n2) = try ProblemSpec.shape(s)
        let x = try Buffers.readMatrix(target, length: targetLength, rows: n1, columns: n2, "target")
        handle.problem = try handle.watchingStops { () throws(FactorSenseError) in
            try ProblemSpec.generate(kind, s, target: .dense(x))
        }
    }
}

@_cdecl("fs_problem_generate_for_factors") @implementation
public func fs_problem_generate_for_factors(
    _ problem: OpaquePointer?, _ operatorKind: UnsafePointer<CChar>?, _ spec: UnsafePointer<fs_problem_spec>?,
    _ left: UnsafePointer<Double>?, _ leftLength: Int64, _ s: UnsafePointer<Double>?, _ sLength: Int64,
    _ right: UnsafePointer<Double>?, _ rightLength: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let kind = try OperatorKind.named(operatorKind)
        let spec = try ProblemSpec.read(spec)
        let (n1, n2) = try ProblemSpec.shape(spec)
        let r = try Buffers.size(sLength, atLeast: 1, "s_length")
        guard r <= min(n1, n2) else {
            throw FactorSenseError(.invalidArgument, "s_length (r) must be between 1 and min(n1, n2) = \(min(n1, n2)), got \(r)")
        }
        let values = try Buffers.read(s, length: sLength, expected: r, "s")
        let l = try Buffers.readMatrix(left, length: leftLength, rows: n1, columns: r, "left")
        var rightFactor: Matrix?
        if let right {
            rightFactor = try Buffers.readMatrix(right, length: rightLength, rows: n2, columns: r, "right")
        } else {
            guard rightLength == 0 else {
                throw FactorSenseError(.sizeMismatch, "right is NULL (R = L), so right_length must be 0, got \(rightLength)")
            }
            guard n1 == n2 else {
                throw FactorSenseError(.invalidArgument, "right NULL means X⋆ = L diag(s) Lᵀ, which is square: n1 = n2, got \(n1) and \(n2)")
            }
        }
        let truth = try GroundTruth.factors(left: l, diagonal: values, right: rightFactor)
        handle.problem = try handle.watchingStops { () throws(FactorSenseError) in
            try ProblemSpec.generate(kind, spec, target: truth)
        }
    }
}

extension ProblemSpec {
    /// (n1, n2) of the spec, each ≥ 1, with n1 · n2 within what BLAS indexes (as for a drawn
    /// target), checked before any array is read.
    static func shape(_ s: fs_problem_spec) throws(FactorSenseError) -> (Int, Int) {
        let shape = (try Buffers.size(s.n1, atLeast: 1, "spec.n1"), try Buffers.size(s.n2, atLeast: 1, "spec.n2"))
        try SizeLimits.checkDimension(try SizeLimits.product(shape.0, shape.1, "n1 · n2"), "n1 · n2")
        return shape
    }

    /// The problem of the caller's target under the spec's measurements, psd, noise and seed,
    /// with spec.rank (when not 0) checked against the target's numerical rank.
    static func generate(_ kind: OperatorKind, _ s: fs_problem_spec, target: GroundTruth) throws(FactorSenseError) -> SensingProblem {
        guard s.rank >= 0 else {
            throw FactorSenseError(.invalidArgument, "spec.rank must be 0 (not checked) or the target's rank, got \(s.rank)")
        }
        return try SensingProblem.generate(
            kind, target: target, positiveSemidefinite: s.psd != 0, rank: s.rank == 0 ? nil : Int(s.rank),
            measurements: measurements(s, kind), noiseLevel: s.noise_level, seed: s.seed, precision: precision(s))
    }
}
