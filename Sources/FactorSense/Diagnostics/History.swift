/// The recorded trajectory of a run: one row per recorded iterate, one named column per
/// quantity (SPEC.md, "Diagnostics").
public struct History: Sendable, Equatable {
    /// The names of the columns, in order, as the C and Python layers spell them:
    /// "iteration" (t), "time" (η·t, the gradient-flow time), "loss" (f), "test_error"
    /// (‖X − X⋆‖_F/‖X⋆‖_F, NaN without a ground truth), "residual" (‖𝒜X − y‖/‖y‖, NaN when y = 0).
    public static let columnNames = ["iteration", "time", "loss", "test_error", "residual"]

    /// The columns, in the order of `columnNames`.
    public private(set) var columns: [[Double]] = Array(repeating: [], count: History.columnNames.count)

    public init() {}

    /// The number of recorded rows.
    public var count: Int { columns[0].count }

    /// The column `name`, or nil for an unknown name.
    public func column(_ name: String) -> [Double]? {
        Self.columnNames.firstIndex(of: name).map { columns[$0] }
    }

    /// The iterations recorded.
    public var iterations: [Int] { columns[0].map { Int($0) } }

    /// The last recorded iteration, or nil for an empty history.
    public var lastIteration: Int? { columns[0].last.map { Int($0) } }

    mutating func append(_ row: [Double]) {
        for i in columns.indices { columns[i].append(row[i]) }
    }
}
