/// Questions researchers ask of a record, answered from it alone: how many iterations a run
/// needed to reach an accuracy, and where its trajectory came closest.
extension History {
    /// The iterations to reach ε: the first recorded iteration t whose scalar column `name`
    /// (default "test_error") is ≤ ε, or nil when no recorded iterate reached it. The answer has
    /// the resolution of the record (`record_every`).
    ///
    /// - Throws: `.invalidArgument` for ε not finite or ≤ 0, a column that is not recorded or not
    ///   scalar, or one that is NaN at every row (the test error of a problem without a truth).
    public func iterationsTo(_ epsilon: Double, in name: String = "test_error") throws(FactorSenseError) -> Int? {
        guard epsilon.isFinite, epsilon > 0 else {
            throw FactorSenseError(.invalidArgument, "epsilon must be a finite number > 0, got \(epsilon)")
        }
        let values = try scalarColumn(name)
        return values.firstIndex { $0 <= epsilon }.map { iterations[$0] }
    }

    /// The smallest value of the scalar column `name` (default "test_error") over the record
    /// and the first recorded iteration at which it was reached; NaN rows are skipped.
    ///
    /// - Throws: `.invalidArgument` for a column that is not recorded, not scalar, or NaN at
    ///   every row.
    public func minimum(of name: String = "test_error") throws(FactorSenseError) -> (value: Double, iteration: Int) {
        let values = try scalarColumn(name)
        var best: (value: Double, row: Int)?
        for (row, value) in values.enumerated() where !value.isNaN && value < (best?.value ?? .infinity) {
            best = (value, row)
        }
        guard let best else { throw Self.allNaN(name) }
        return (best.value, iterations[best.row])
    }

    /// The values of a recorded scalar column with at least one that is not NaN.
    private func scalarColumn(_ name: String) throws(FactorSenseError) -> [Double] {
        guard let values = column(name), let width = width(of: name) else {
            throw FactorSenseError(.invalidArgument,
                "history column \(FactorSenseError.quoted(name)) is not recorded; the recorded columns are \(names.joined(separator: ", "))")
        }
        guard width == 1 else {
            throw FactorSenseError(.invalidArgument,
                "history column \(FactorSenseError.quoted(name)) holds \(width) values a row; ask for a scalar column")
        }
        guard values.contains(where: { !$0.isNaN }) else { throw Self.allNaN(name) }
        return values
    }

    private static func allNaN(_ name: String) -> FactorSenseError {
        FactorSenseError(.invalidArgument,
            "history column \(FactorSenseError.quoted(name)) is NaN at every recorded iterate"
            + (name == "test_error" ? " (the problem has no truth): ask for \"residual\" instead" : ""))
    }
}
