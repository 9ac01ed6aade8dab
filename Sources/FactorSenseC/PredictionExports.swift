import CFactorSense
import FactorSense

@_cdecl("fs_problem_spectrum") @implementation
public func fs_problem_spectrum(
    _ problem: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ seed: UInt64,
    _ values: UnsafeMutablePointer<Double>?, _ count: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let sensing = try handle.filled()
        let chosen = try PredictionArguments.method(method)
        try Buffers.checkNotNull(values, "values")
        let wanted = try Buffers.size(count, atLeast: 1, "count")
        let spectrum = try handle.watchingStops { () throws(FactorSenseError) in
            try sensing.spectrum(count: wanted, method: chosen, seed: seed)
        }
        try Buffers.copy(spectrum, to: values, length: count, "values")
    }
}

@_cdecl("fs_problem_predict") @implementation
public func fs_problem_predict(
    _ problem: OpaquePointer?, _ initScale: Double, _ step: Double, _ rank: Int64, _ fraction: Double,
    _ method: UnsafePointer<CChar>?, _ seed: UInt64, _ predictions: UnsafeMutablePointer<fs_predictions>?,
    _ learningIterations: UnsafeMutablePointer<Double>?, _ learningTimes: UnsafeMutablePointer<Double>?, _ length: Int64
) -> fs_status {
    withHandle(problem, as: ProblemHandle.self) { handle throws(FactorSenseError) in
        let sensing = try handle.filled()
        guard let predictions else { throw FactorSenseError(.nullPointer, "predictions is NULL") }
        let size = try PredictionsLayout.layout.callerSize(UnsafeRawPointer(predictions))
        let chosen = try PredictionArguments.method(method)
        let wanted = rank == 0 ? nil : try Buffers.size(rank, atLeast: 1, "rank")
        let made = try handle.watchingStops { () throws(FactorSenseError) in
            try sensing.predictions(initScale: initScale, step: step == 0 ? nil : step, rank: wanted,
                                    fraction: fraction == 0 ? 0.5 : fraction, method: chosen, seed: seed)
        }
        if learningIterations != nil || learningTimes != nil {
            try Buffers.checkLength(length, expected: made.rank, "length")
        }
        let filled = fs_predictions(
            struct_size: size, rank: Int64(made.rank), gap: made.gap, plateau_slope: made.plateauSlope,
            spectral_angle_left: made.spectralAngleLeft, spectral_angle_right: made.spectralAngleRight)
        PredictionsLayout.layout.write(filled, to: UnsafeMutableRawPointer(predictions), size: size)
        Buffers.write(made.learningIterations, to: learningIterations)
        Buffers.write(made.learningTimes, to: learningTimes)
    }
}

/// The caller's fs_predictions: written by the versioned-struct rule; first published in 0.6.
enum PredictionsLayout {
    static let layout = VersionedStruct<fs_predictions>(
        typeName: "fs_predictions", argument: "predictions", firstSize: MemoryLayout<fs_predictions>.size,
        advice: "set predictions.struct_size = sizeof predictions before the call")
}

/// The arguments the prediction calls share.
enum PredictionArguments {
    /// The spectral method named by a C string, NULL meaning "auto".
    static func method(_ name: UnsafePointer<CChar>?) throws(FactorSenseError) -> SpectralMethod {
        guard let name else { return .auto }
        return try SpectralMethod.named(String(cString: name))
    }
}
