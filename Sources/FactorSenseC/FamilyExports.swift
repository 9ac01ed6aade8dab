import CFactorSense
import FactorSense

@_cdecl("fs_problem_spec_init") @implementation
public func fs_problem_spec_init(_ spec: UnsafeMutablePointer<fs_problem_spec>?, _ size: Int) -> fs_status {
    ProblemSpec.layout.initialize(spec, size: size) { size in
        fs_problem_spec(
            struct_size: size, n1: 0, n2: 0, rank: 0, measurements: 0,
            scale: 1, condition_number: 1, spectrum: Int32(FS_SPECTRUM_GEOMETRIC.rawValue), psd: 0,
            noise_level: 0, seed: 0, precision: Int32(FS_PRECISION_FLOAT64.rawValue))
    }
}

@_cdecl("fs_problem_generate") @implementation
public func fs_problem_generate(_ problem: OpaquePointer?, _ operatorKind: UnsafePointer<CChar>?, _ spec: UnsafePointer<fs_problem_spec>?) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let kind = try OperatorKind.named(operatorKind)
        let s = try ProblemSpec.read(spec)
        guard let spectrum = [TargetSpecification.Spectrum.geometric, .linear].first(where: { $0.code == s.spectrum }) else {
            throw FactorSenseError(.invalidArgument, "spec.spectrum must be FS_SPECTRUM_GEOMETRIC (0) or FS_SPECTRUM_LINEAR (1), got \(s.spectrum)")
        }
        let target = try TargetSpecification(
            rows: Buffers.size(s.n1, atLeast: 1, "spec.n1"), columns: Buffers.size(s.n2, atLeast: 1, "spec.n2"),
            rank: Buffers.size(s.rank, atLeast: 1, "spec.rank"), scale: s.scale, conditionNumber: s.condition_number,
            spectrum: spectrum, positiveSemidefinite: s.psd != 0)
        let m = try ProblemSpec.measurements(s, kind)
        handle.problem = try handle.watchingStops { () throws(FactorSenseError) in
            try SensingProblem.generate(kind, target: target, measurements: m, noiseLevel: s.noise_level, seed: s.seed,
                                        precision: ProblemSpec.precision(s))
        }
    }
}

extension OperatorKind {
    /// The kind named by the caller's C string.
    static func named(_ pointer: UnsafePointer<CChar>?) throws(FactorSenseError) -> OperatorKind {
        let name = try Buffers.string(pointer, "operator_kind")
        guard let kind = OperatorKind(rawValue: name) else {
            let names = OperatorKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw FactorSenseError(.invalidArgument, "operator_kind must be one of \(names), got \(FactorSenseError.quoted(name))")
        }
        return kind
    }
}

/// Reading the caller's fs_problem_spec.
enum ProblemSpec {
    /// The versioned struct: its first published size is that of 0.3, before `precision`.
    static let layout = VersionedStruct<fs_problem_spec>(
        typeName: "fs_problem_spec", argument: "spec",
        firstSize: MemoryLayout<fs_problem_spec>.offset(of: \fs_problem_spec.precision) ?? MemoryLayout<fs_problem_spec>.size,
        advice: "fill the spec with fs_problem_spec_init(&spec, sizeof spec)")

    /// A copy of `*spec` by the versioned-struct rule: the caller's bytes up to its struct_size
    /// (never more), the fields of a later version than the caller's 0 (their defaults).
    static func read(_ spec: UnsafePointer<fs_problem_spec>?) throws(FactorSenseError) -> fs_problem_spec {
        try layout.read(spec, zero: fs_problem_spec())
    }

    /// The spec's storage precision.
    static func precision(_ s: fs_problem_spec) throws(FactorSenseError) -> DenseEntries.Precision {
        switch s.precision {
        case Int32(FS_PRECISION_FLOAT64.rawValue): return .double
        case Int32(FS_PRECISION_FLOAT32.rawValue): return .single
        default:
            throw FactorSenseError(.invalidArgument,
                "spec.precision must be FS_PRECISION_FLOAT64 (0) or FS_PRECISION_FLOAT32 (1), got \(s.precision)")
        }
    }

    /// m of the spec (≥ 1), or 0 for "identity", which ignores it.
    static func measurements(_ s: fs_problem_spec, _ kind: OperatorKind) throws(FactorSenseError) -> Int {
        kind == .identity ? 0 : try Buffers.size(s.measurements, atLeast: 1, "spec.measurements")
    }
}

extension TargetSpecification.Spectrum {
    /// The fs_spectrum value.
    var code: Int32 {
        switch self {
        case .geometric: Int32(FS_SPECTRUM_GEOMETRIC.rawValue)
        case .linear: Int32(FS_SPECTRUM_LINEAR.rawValue)
        }
    }
}

@_cdecl("fs_problem_set_entries") @implementation
public func fs_problem_set_entries(
    _ problem: OpaquePointer?, _ n1: Int64, _ n2: Int64, _ count: Int64,
    _ rows: UnsafePointer<Int64>?, _ columns: UnsafePointer<Int64>?, _ values: UnsafePointer<Double>?,
    _ length: Int64, _ scale: Double, _ truth: UnsafePointer<Double>?, _ truthLength: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        handle.problem = try handle.watchingStops { () throws(FactorSenseError) in
            let shape = (try Buffers.size(n1, atLeast: 1, "n1"), try Buffers.size(n2, atLeast: 1, "n2"))
            let m = try Buffers.size(count, atLeast: 1, "count")
            try MemoryBudget.require(PeakMemory.entriesProblem(count: m, rows: shape.0, columns: shape.1, truth: truth != nil),
                                     for: "fs_problem_set_entries with \(m) entries")
            let rowIndices = try Buffers.readIndices(rows, length: length, expected: m, "rows")
            let columnIndices = try Buffers.readIndices(columns, length: length, expected: m, "columns")
            let y = try Buffers.read(values, length: length, expected: m, "values")
            let target = try truth.map { pointer throws(FactorSenseError) in
                try Buffers.readMatrix(pointer, length: truthLength, rows: shape.0, columns: shape.1, "truth")
            }
            let sensingOperator = try EntrySamplingOperator(rows: shape.0, columns: shape.1, rowIndices: rowIndices,
                                                            columnIndices: columnIndices, scale: scale)
            return try SensingProblem(operator: sensingOperator, measurements: y, truth: target)
        }
    }
}

@_cdecl("fs_problem_set_symmetric") @implementation
public func fs_problem_set_symmetric(_ problem: OpaquePointer?, _ symmetric: Int32) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        handle.problem = try handle.filled().with(symmetric != 0 ? .symmetric : .asymmetric)
    }
}

@_cdecl("fs_problem_is_symmetric") @implementation
public func fs_problem_is_symmetric(_ problem: OpaquePointer?, _ symmetric: UnsafeMutablePointer<Int32>?) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(symmetric, "symmetric")
        symmetric?.pointee = try handle.filled().parameterization == .symmetric ? 1 : 0
    }
}

@_cdecl("fs_problem_operator_is_symmetric") @implementation
public func fs_problem_operator_is_symmetric(_ problem: OpaquePointer?, _ symmetric: UnsafeMutablePointer<Int32>?) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(symmetric, "symmetric")
        symmetric?.pointee = try handle.filled().sensingOperator.isSymmetric ? 1 : 0
    }
}

@_cdecl("fs_problem_get_operator_kind") @implementation
public func fs_problem_get_operator_kind(_ problem: OpaquePointer?, _ kind: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        try Buffers.checkNotNull(kind, "kind")
        let name = try handle.filled().sensingOperator.kindName
        kind?.pointee = StaticText.named(name)
    }
}

@_cdecl("fs_problem_copy_entries") @implementation
public func fs_problem_copy_entries(
    _ problem: OpaquePointer?, _ rows: UnsafeMutablePointer<Int64>?, _ columns: UnsafeMutablePointer<Int64>?,
    _ length: Int64, _ scale: UnsafeMutablePointer<Double>?
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        guard case let .cells(cellRows, cellColumns, cellScale) = try handle.filled().sensingOperator.observedCells else {
            throw FactorSenseError(.wrongState, "the problem's operator does not sample entries")
        }
        if rows != nil || columns != nil { try Buffers.checkLength(length, expected: cellRows.count, "length") }
        for (indices, out) in [(cellRows, rows), (cellColumns, columns)] {
            guard let out else { continue }
            for i in indices.indices { out[i] = Int64(indices[i]) }
        }
        scale?.pointee = cellScale
    }
}

@_cdecl("fs_problem_copy_rank_one") @implementation
public func fs_problem_copy_rank_one(
    _ problem: OpaquePointer?, _ left: UnsafeMutablePointer<Double>?, _ leftLength: Int64,
    _ right: UnsafeMutablePointer<Double>?, _ rightLength: Int64, _ scale: UnsafeMutablePointer<Double>?
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        guard let rankOne = try handle.filled().sensingOperator.rankOneProjections else {
            throw FactorSenseError(.wrongState, "the problem's operator is not made of rank-one projections")
        }
        if left != nil { try Buffers.checkOutput(left, length: leftLength, for: rankOne.left.elements, "left") }
        if right != nil { try Buffers.checkOutput(right, length: rightLength, for: rankOne.right.elements, "right") }
        Buffers.write(rankOne.left.elements, to: left)
        Buffers.write(rankOne.right.elements, to: right)
        scale?.pointee = rankOne.scale
    }
}
