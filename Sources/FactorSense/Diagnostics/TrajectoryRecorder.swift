/// Turns recorded iterates into history rows. The solvers hand it each iterate they record and
/// know nothing of which quantities are computed from it.
struct TrajectoryRecorder {
    let problem: SensingProblem
    let step: Double
    private let measurementNorm: Double
    private let truthNorm: Double?
    private(set) var history = History()

    init(problem: SensingProblem, step: Double) {
        self.problem = problem
        self.step = step
        self.measurementNorm = BLAS.norm(problem.measurements)
        self.truthNorm = problem.groundTruth?.frobeniusNorm
    }

    /// The values of iterate t with factors (U, V) and its full evaluation (loss, residual).
    func snapshot(iteration t: Int, U: Matrix, V: Matrix, evaluation: Evaluation) -> Snapshot {
        let residualNorm = BLAS.norm(evaluation.residual)
        var testError = Double.nan
        if let truth = problem.groundTruth, let truthNorm {
            testError = truth.distance(U: U, V: V) / truthNorm
        }
        return Snapshot(iteration: t, time: step * Double(t), loss: evaluation.loss,
                        testError: testError, residual: measurementNorm > 0 ? residualNorm / measurementNorm : .nan)
    }

    /// Appends a row for `snapshot`, unless its iteration is already the last one recorded.
    mutating func record(_ snapshot: Snapshot) {
        if history.lastIteration == snapshot.iteration { return }
        history.append([Double(snapshot.iteration), snapshot.time, snapshot.loss, snapshot.testError, snapshot.residual])
    }
}

/// What is known of one iterate: the row the history records and what progress reports.
public struct Snapshot: Sendable, Equatable {
    /// t.
    public var iteration: Int
    /// η·t.
    public var time: Double
    /// f(U_t, V_t) = ½‖𝒜(U_tV_tᵀ) − y‖².
    public var loss: Double
    /// ‖U_tV_tᵀ − X⋆‖_F/‖X⋆‖_F, NaN without a ground truth.
    public var testError: Double
    /// ‖𝒜(U_tV_tᵀ) − y‖/‖y‖.
    public var residual: Double
}
