import CFactorSense
import FactorSense

/// The object behind an `fs_problem *`.
final class ProblemHandle: Handle, @unchecked Sendable {
    var problem: SensingProblem?

    /// The problem, or `.wrongState` while the handle is empty.
    func filled() throws(FactorSenseError) -> SensingProblem {
        guard let problem else {
            throw FactorSenseError(.wrongState,
                "the problem is empty: fill it with fs_problem_generate_gaussian or fs_problem_set_dense first")
        }
        return problem
    }
}

@_cdecl("fs_problem_create") @implementation
public func fs_problem_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> fs_status {
    createHandle(out) { ProblemHandle() }
}

@_cdecl("fs_problem_free") @implementation
public func fs_problem_free(_ problem: OpaquePointer?) {
    Registry.release(problem, as: ProblemHandle.self)
}

@_cdecl("fs_problem_generate_gaussian") @implementation
public func fs_problem_generate_gaussian(
    _ problem: OpaquePointer?, _ n1: Int64, _ n2: Int64, _ rank: Int64, _ measurements: Int64,
    _ scale: Double, _ conditionNumber: Double, _ noiseLevel: Double, _ seed: UInt64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let target = try TargetSpecification(
            rows: Buffers.size(n1, atLeast: 1, "n1"), columns: Buffers.size(n2, atLeast: 1, "n2"),
            rank: Buffers.size(rank, atLeast: 1, "rank"), scale: scale, conditionNumber: conditionNumber)
        let m = try Buffers.size(measurements, atLeast: 1, "measurements")
        handle.problem = try handle.watchingStops { () throws(FactorSenseError) in
            try SensingProblem.generate(.gaussian, target: target, measurements: m, noiseLevel: noiseLevel, seed: seed)
        }
    }
}

@_cdecl("fs_problem_set_dense") @implementation
public func fs_problem_set_dense(
    _ problem: OpaquePointer?, _ n1: Int64, _ n2: Int64, _ measurements: Int64,
    _ operatorMatrix: UnsafePointer<Double>?, _ operatorLength: Int64,
    _ y: UnsafePointer<Double>?, _ yLength: Int64,
    _ truth: UnsafePointer<Double>?, _ truthLength: Int64
) -> fs_status {
    DenseProblem.set(problem, n1, n2, measurements, y, yLength, truth, truthLength) { m, rows, columns, count throws(FactorSenseError) in
        let matrix = try Buffers.read(operatorMatrix, length: operatorLength, expected: count, "operator_matrix")
        return try DenseOperator(measurements: m, rows: rows, columns: columns, matrix: matrix)
    }
}

@_cdecl("fs_problem_set_dense_f32") @implementation
public func fs_problem_set_dense_f32(
    _ problem: OpaquePointer?, _ n1: Int64, _ n2: Int64, _ measurements: Int64,
    _ operatorMatrix: UnsafePointer<Float>?, _ operatorLength: Int64,
    _ y: UnsafePointer<Double>?, _ yLength: Int64,
    _ truth: UnsafePointer<Double>?, _ truthLength: Int64
) -> fs_status {
    DenseProblem.set(problem, n1, n2, measurements, y, yLength, truth, truthLength) { m, rows, columns, count throws(FactorSenseError) in
        let matrix = try Buffers.read(operatorMatrix, length: operatorLength, expected: count, "operator_matrix")
        return try DenseOperator(measurements: m, rows: rows, columns: columns, singlePrecisionMatrix: matrix)
    }
}

@_cdecl("fs_problem_get_precision") @implementation
public func fs_problem_get_precision(_ problem: OpaquePointer?, _ precision: UnsafeMutablePointer<Int32>?) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(precision, "precision")
        let single = try handle.filled().sensingOperator.denseEntries?.precision == .single
        precision?.pointee = Int32((single ? FS_PRECISION_FLOAT32 : FS_PRECISION_FLOAT64).rawValue)
    }
}

/// Filling a problem with the caller's dense operator, in either precision.
enum DenseProblem {
    /// Checks the sizes and the memory, then reads y, the truth and (through `makeOperator(m,
    /// n1, n2, m·n1·n2)`) the operator; the problem is replaced only when all are good.
    static func set(
        _ problem: OpaquePointer?, _ n1: Int64, _ n2: Int64, _ measurements: Int64,
        _ y: UnsafePointer<Double>?, _ yLength: Int64, _ truth: UnsafePointer<Double>?, _ truthLength: Int64,
        _ makeOperator: (Int, Int, Int, Int) throws(FactorSenseError) -> DenseOperator
    ) -> fs_status {
        withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
            handle.problem = try handle.watchingStops { () throws(FactorSenseError) in
                let rows = try Buffers.size(n1, atLeast: 1, "n1")
                let columns = try Buffers.size(n2, atLeast: 1, "n2")
                let m = try Buffers.size(measurements, atLeast: 1, "measurements")
                let count = try DenseOperator.checkedEntryCount(measurements: m, rows: rows, columns: columns)
                try MemoryBudget.require(PeakMemory.denseProblem(measurements: m, rows: rows, columns: columns, truth: truth != nil),
                                         for: "fs_problem_set_dense with m = \(m), n1 = \(rows), n2 = \(columns)")
                let sensingOperator = try makeOperator(m, rows, columns, count)
                let values = try Buffers.read(y, length: yLength, expected: m, "y")
                let target = try truth.map { pointer throws(FactorSenseError) in
                    try Buffers.readMatrix(pointer, length: truthLength, rows: rows, columns: columns, "truth")
                }
                return try SensingProblem(operator: sensingOperator, measurements: values, truth: target)
            }
        }
    }
}

@_cdecl("fs_problem_get_shape") @implementation
public func fs_problem_get_shape(
    _ problem: OpaquePointer?, _ n1: UnsafeMutablePointer<Int64>?, _ n2: UnsafeMutablePointer<Int64>?,
    _ measurements: UnsafeMutablePointer<Int64>?
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let p = try handle.filled()
        n1?.pointee = Int64(p.rows)
        n2?.pointee = Int64(p.columns)
        measurements?.pointee = Int64(p.measurementCount)
    }
}

@_cdecl("fs_problem_has_truth") @implementation
public func fs_problem_has_truth(_ problem: OpaquePointer?, _ hasTruth: UnsafeMutablePointer<Int32>?) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(hasTruth, "has_truth")
        hasTruth?.pointee = try handle.filled().groundTruth == nil ? 0 : 1
    }
}

@_cdecl("fs_problem_copy_operator") @implementation
public func fs_problem_copy_operator(_ problem: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ length: Int64) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        guard let entries = try handle.filled().sensingOperator.denseEntries else {
            throw FactorSenseError(.wrongState, "the problem's operator is not a dense matrix")
        }
        switch entries {
        case .double(let values):
            try Buffers.copy(values, to: out, length: length, "out")
        case .single(let values):  // widened straight into the caller's array: no float64 copy of 𝐀
            try Buffers.checkOutput(out, length: length, count: values.count, "out")
            guard let out else { return }
            for (index, value) in values.enumerated() { out[index] = Double(value) }
        }
    }
}

@_cdecl("fs_problem_copy_measurements") @implementation
public func fs_problem_copy_measurements(_ problem: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ length: Int64) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        try Buffers.copy(handle.filled().measurements, to: out, length: length, "out")
    }
}

@_cdecl("fs_problem_copy_truth") @implementation
public func fs_problem_copy_truth(_ problem: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ length: Int64) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        guard let truth = try handle.filled().groundTruth else {
            throw FactorSenseError(.wrongState, "the problem has no ground truth")
        }
        try Buffers.checkLength(length, expected: truth.rows * truth.columns, "out")
        try Buffers.copy(truth.matrix.elements, to: out, length: length, "out")
    }
}

@_cdecl("fs_problem_split_holdout") @implementation
public func fs_problem_split_holdout(
    _ problem: OpaquePointer?, _ fraction: Double, _ seed: UInt64, _ training: OpaquePointer?, _ validation: OpaquePointer?
) -> fs_status {
    var parts: (training: SensingProblem, validation: SensingProblem)?
    var targets: (ProblemHandle, ProblemHandle)?  // checked live before the split
    // The split is computed under the source's lock; the two parts are stored afterwards under
    // their own, so no two locks are ever held together.
    let status = withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        guard let trainingHandle = Registry.lookup(training, as: ProblemHandle.self) else {
            throw FactorSenseError(.invalidHandle, "training is not a live fs_problem handle (NULL, freed, or another kind)")
        }
        guard let validationHandle = Registry.lookup(validation, as: ProblemHandle.self) else {
            throw FactorSenseError(.invalidHandle, "validation is not a live fs_problem handle (NULL, freed, or another kind)")
        }
        guard trainingHandle !== validationHandle else {
            throw FactorSenseError(.invalidArgument, "training and validation must be two different fs_problem handles")
        }
        parts = try handle.filled().splitHoldout(fraction: fraction, seed: seed)
        targets = (trainingHandle, validationHandle)
    }
    guard status == FS_OK, let parts, let targets else { return status }
    _ = targets  // both were live when the split began
    let stored = withHandle(training, as: ProblemHandle.self) { handle in handle.problem = parts.training }
    guard stored == FS_OK else { return stored }
    return withHandle(validation, as: ProblemHandle.self) { handle in handle.problem = parts.validation }
}
