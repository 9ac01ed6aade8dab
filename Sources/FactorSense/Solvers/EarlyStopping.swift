/// The validation rules (docs/completion.md): the recorded iterate of least finite validation
/// error is kept; `patience` > 0 stops the run (`.earlyStopped`) once that many recorded iterates
/// in a row have not improved on it, and `restoreBest` ends the run with its factors.
struct EarlyStopping {
    private let patience: Int
    private let restoreBest: Bool
    /// The recorded iterate of least (finite) validation error so far.
    private(set) var best: (t: Int, error: Double, U: Matrix, V: Matrix)?
    /// The rows recorded since `best`'s.
    private var rowsSinceBest = 0

    init(_ options: GradientDescentOptions) {
        self.patience = options.patience
        self.restoreBest = options.restoreBest
    }

    /// Takes the recorded `snapshot` into account; whether the patience rule now holds.
    mutating func observe(_ snapshot: Snapshot) -> Bool {
        let error = snapshot.validationError
        if error.isFinite && (best.map { error < $0.error } ?? true) {
            best = (snapshot.iteration, error, snapshot.U, snapshot.V)
            rowsSinceBest = 0
        } else {
            rowsSinceBest += 1
        }
        return patience > 0 && rowsSinceBest >= patience
    }

    /// The factors a run ends with: the best iterate's with `restoreBest`, else (U, V).
    func factors(_ U: Matrix, _ V: Matrix) -> (U: Matrix, V: Matrix) {
        guard restoreBest, let best else { return (U, V) }
        return (best.U, best.V)
    }
}
