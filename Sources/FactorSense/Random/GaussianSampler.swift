#if canImport(Glibc)
import Glibc
#endif

/// Standard normal variates by Marsaglia's polar method, from a `SeededGenerator`.
///
/// Draw u, v uniform on (−1, 1) as 2·U[0,1) − 1 until 0 < s = u² + v² < 1; then u·f and v·f with
/// f = √(−2 ln s / s) are two independent N(0, 1) values, returned in that order. Only `log` and
/// `sqrt` are used (sqrt is correctly rounded; glibc's log is correctly rounded in practice), so
/// the same seed gives the same numbers everywhere.
struct GaussianSampler: Sendable {
    private var generator: SeededGenerator
    private var spare: Double?

    public init(_ generator: SeededGenerator) {
        self.generator = generator
    }

    /// The sampler of `stream` under `seed`.
    public init(seed: UInt64, stream: RandomStream) {
        self.init(SeededGenerator(seed: seed, stream: stream.rawValue))
    }

    /// The next N(0, 1) value.
    public mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        while true {
            let u = 2 * generator.nextUniform() - 1
            let v = 2 * generator.nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                spare = v * f
                return u * f
            }
        }
    }

    /// `count` values N(0, σ²), in order.
    public mutating func values(_ count: Int, standardDeviation sigma: Double = 1) -> [Double] {
        (0..<count).map { _ in sigma * next() }
    }

    /// `count` values N(0, σ²), in order — the same as `values(_:standardDeviation:)` — drawn in
    /// blocks between which the current `StopRequest` is checked.
    ///
    /// - Throws: `.interrupted` when the current request is made before the last block.
    public mutating func stoppableValues(_ count: Int, standardDeviation sigma: Double = 1) throws(FactorSenseError) -> [Double] {
        var values = [Double]()
        values.reserveCapacity(count)  // pages are touched as they are filled
        while values.count < count {
            try StopRequest.checkCurrent("drawing \(count) Gaussian values")
            for _ in 0..<min(StopRequest.checkInterval, count - values.count) { values.append(sigma * next()) }
        }
        return values
    }

    /// A `rows × columns` matrix of iid N(0, σ²) entries, filled row by row, drawn as
    /// `stoppableValues` draws them.
    public mutating func stoppableMatrix(rows: Int, columns: Int, standardDeviation sigma: Double = 1) throws(FactorSenseError) -> Matrix {
        let count = try SizeLimits.product(rows, columns, "the entries of a \(rows) × \(columns) matrix")
        return try Matrix(rows: rows, columns: columns, elements: stoppableValues(count, standardDeviation: sigma))
    }

    /// A `rows × columns` matrix of iid N(0, σ²) entries, filled row by row.
    public mutating func matrix(rows: Int, columns: Int, standardDeviation sigma: Double = 1) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in m.elements.indices { m.elements[i] = sigma * next() }
        return m
    }
}
