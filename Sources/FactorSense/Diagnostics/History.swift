/// The recorded trajectory of a run: one row per recorded iterate, one named column per
/// quantity (docs/mathematics.md, "Diagnostics"). A column has a width: 1 for a scalar, c for
/// the matrix-valued "singular_values" (c values a row, stored row after row).
public struct History: Sendable, Equatable {
    /// The columns every run records, in order: "iteration" (t), "time" (η·t, the
    /// gradient-flow time; Σ of the steps taken with the automatic step rule), "loss" (f), "test_error" (‖X − X⋆‖_F/‖X⋆‖_F, NaN without a ground
    /// truth), "residual" (‖𝒜X − y‖/‖y‖, NaN when y = 0).
    public static let standardNames = ["iteration", "time", "loss", "test_error", "residual"]

    /// The columns a run records after the standard ones when it uses what they describe:
    /// "validation_error" (‖𝒜_val(X) − y_val‖/‖y_val‖, with a validation set) and "step" (the
    /// step size η_t of the step into iterate t, η₀ at t = 0, with the automatic step rule).
    /// docs/completion.md.
    public static let runNames = ["validation_error", "step"]

    /// Every name a column can have: the standard ones, the run's, then the diagnostics.
    public static let allNames = standardNames + runNames + Diagnostic.allCases.map(\.rawValue)

    /// The names of this history's columns, in order.
    public let names: [String]
    /// The width of each column (values per row).
    public let widths: [Int]
    /// The columns, each `count × width` values, row-major.
    public private(set) var columns: [[Double]]

    /// A history of the standard columns only.
    public init() {
        self.init(names: Self.standardNames, widths: Array(repeating: 1, count: Self.standardNames.count))
    }

    /// An empty history with these columns (names from `allNames`; widths ≥ 1).
    init(names: [String], widths: [Int]) {
        self.names = names
        self.widths = widths
        self.columns = Array(repeating: [], count: names.count)
    }

    /// The number of recorded rows.
    public var count: Int { columns.first.map { $0.count / max(widths[0], 1) } ?? 0 }

    /// The column `name`, `count × width` values row-major, or nil when it is not recorded.
    public func column(_ name: String) -> [Double]? {
        names.firstIndex(of: name).map { columns[$0] }
    }

    /// The width of column `name`, or nil when it is not recorded.
    public func width(of name: String) -> Int? {
        names.firstIndex(of: name).map { widths[$0] }
    }

    /// The value of the scalar column `name` at row `row`, or nil.
    func value(_ name: String, row: Int) -> Double? {
        guard let index = names.firstIndex(of: name) else { return nil }
        return columns[index][row * widths[index]]
    }

    /// The iterations recorded.
    public var iterations: [Int] { columns[0].map { Int($0) } }

    /// The last recorded iteration, or nil for an empty history.
    public var lastIteration: Int? { columns[0].last.map { Int($0) } }

    /// Appends one row: for each column, `width` values.
    mutating func append(_ row: [[Double]]) {
        for i in columns.indices { columns[i].append(contentsOf: row[i]) }
    }
}
