/// Held-out measurements a run is scored on (docs/completion.md, "Validation"): an operator 𝒜_val
/// of the problem's shape and its values y_val, given as a `SensingProblem` (any operator kind:
/// held-out entries for completion, held-out measurements of a dense operator…). At each
/// recorded iterate the run records
///
///     validation_error = ‖𝒜_val(X_t) − y_val‖ / ‖y_val‖,
///
/// X_t = U_tV_tᵀ (U_tU_tᵀ for PSD), which the `patience` stop rule and `restoreBest` read.
struct Validation {
    let problem: SensingProblem
    private let valueNorm: Double

    /// The validation set for runs on `training`.
    ///
    /// - Throws: `.sizeMismatch` when its shape is not the problem's; `.invalidArgument` when
    ///   held-out entries coincide with training entries (both entry-sampling, or training on
    ///   every entry): the score would not be held out; `.invalidArgument` when y_val = 0, whose
    ///   relative error is undefined (the run would record NaN throughout, and patience would stop
    ///   it at an arbitrary row with no best iterate). The check sorts the m training positions
    ///   (counted by `PeakMemory.validation`).
    init(_ validation: SensingProblem, for training: SensingProblem) throws(FactorSenseError) {
        guard validation.rows == training.rows, validation.columns == training.columns else {
            throw FactorSenseError(.sizeMismatch,
                "the validation set must be \(training.rows) × \(training.columns) like the problem, got \(validation.rows) × \(validation.columns)")
        }
        if case let .cells(heldRows, heldColumns, _) = validation.sensingOperator.observedCells {
            try Self.checkDisjoint(rows: heldRows, columns: heldColumns, from: training.sensingOperator.observedCells, n2: training.columns)
        }
        self.problem = validation
        self.valueNorm = BLAS.norm(validation.measurements)
        guard valueNorm > 0 else {
            throw FactorSenseError(.invalidArgument,
                "the validation values are all 0: the relative validation error ‖𝒜_val(X) − y_val‖/‖y_val‖ is undefined; hold out measurements that are not all 0")
        }
    }

    /// ‖𝒜_val(UVᵀ) − y_val‖ / ‖y_val‖.
    func error(U: Matrix, V: Matrix) -> Double {
        let predicted = problem.sensingOperator.apply(product: U, V)
        guard predicted.count == problem.measurements.count, valueNorm > 0 else { return .nan }
        var residual = predicted
        BLAS.axpy(-1, problem.measurements, &residual)
        return BLAS.norm(residual) / valueNorm
    }

    /// Refuses held-out entries (rows[i], columns[i]) that are also training entries.
    private static func checkDisjoint(rows: [Int], columns: [Int], from training: ObservedCells, n2: Int) throws(FactorSenseError) {
        let trainingKeys: [Int]
        switch training {
        case let .cells(trainingRows, trainingColumns, _):
            trainingKeys = zip(trainingRows, trainingColumns).map { $0 * n2 + $1 }.sorted()
        case .all:
            guard rows.isEmpty else {
                throw FactorSenseError(.invalidArgument,
                    "the validation entries overlap the training entries: the problem observes every entry")
            }
            return
        case .mixed:
            return  // the training measurements mix every entry: no entry is held out or not
        }
        for (row, column) in zip(rows, columns) where Self.contains(trainingKeys, row * n2 + column) {
            throw FactorSenseError(.invalidArgument,
                "the validation entries overlap the training entries: (\(row), \(column)) is in both")
        }
    }

    private static func contains(_ sorted: [Int], _ key: Int) -> Bool {
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = low + (high - low) / 2
            if sorted[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == key
    }
}
