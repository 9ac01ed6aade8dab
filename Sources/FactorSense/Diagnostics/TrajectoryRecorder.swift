/// Turns recorded iterates into history rows. The solvers hand it each iterate they record and
/// know nothing of which quantities are computed from it.
struct TrajectoryRecorder {
    let problem: SensingProblem
    let step: Double
    private let measurementNorm: Double
    private let truthNorm: Double?
    private let diagnostics: DiagnosticComputer
    private let validation: Validation?
    private let recordsStep: Bool
    private(set) var history: History

    /// A recorder for runs of `problem` at width k with these options.
    ///
    /// - Throws: `.invalidArgument` for a singular-value count or rank above what the problem
    ///   and width allow; `.outOfMemory` when a chosen diagnostic needs a dense n1 × n2 matrix
    ///   that does not fit; `.linearAlgebra` when an SVD of the references fails.
    init(problem: SensingProblem, options: GradientDescentOptions, width k: Int,
         validation: Validation? = nil) throws(FactorSenseError) {
        self.problem = problem
        self.validation = validation
        self.recordsStep = options.stepRule == .auto
        self.step = options.step
        self.measurementNorm = BLAS.norm(problem.measurements)
        self.truthNorm = problem.groundTruth?.frobeniusNorm
        let diagnostics = try DiagnosticComputer(problem: problem, options: options, width: k)
        self.diagnostics = diagnostics
        let chosen = diagnostics.recorded
        let runNames = (validation != nil ? ["validation_error"] : []) + (recordsStep ? ["step"] : [])
        self.history = History(names: History.standardNames + runNames + chosen.map(\.rawValue),
                               widths: Array(repeating: 1, count: History.standardNames.count + runNames.count)
                                   + chosen.map { $0 == .singularValues ? diagnostics.singularValueCount : 1 })
    }

    /// The values of iterate t with factors (U, V) and its full evaluation (loss, residual);
    /// `time` (Σ of the steps so far) and `stepSize` (η_t) when the step is not fixed.
    func snapshot(iteration t: Int, U: Matrix, V: Matrix, evaluation: Evaluation,
                  time: Double? = nil, stepSize: Double? = nil) -> Snapshot {
        let residualNorm = BLAS.norm(evaluation.residual)
        var testError = Double.nan
        if let truth = problem.groundTruth, let truthNorm {
            testError = truth.distance(U: U, V: V) / truthNorm
        }
        // ‖ρ‖/‖y‖ is NaN for y = 0 (0/0 when ρ = 0 too), never inf.
        let residual = measurementNorm > 0 ? residualNorm / measurementNorm : .nan
        return Snapshot(iteration: t, time: time ?? step * Double(t), loss: evaluation.loss,
                        testError: testError, residual: residual,
                        validationError: validation?.error(U: U, V: V) ?? .nan, step: stepSize ?? step,
                        U: U, V: V, residualVector: evaluation.residual)
    }

    /// Appends a row for `snapshot` with its diagnostics, unless its iteration is already the
    /// last one recorded; whether it did.
    @discardableResult
    mutating func record(_ snapshot: Snapshot) -> Bool {
        if history.lastIteration == snapshot.iteration { return false }
        var standard = [Double(snapshot.iteration), snapshot.time, snapshot.loss, snapshot.testError, snapshot.residual]
        if validation != nil { standard.append(snapshot.validationError) }
        if recordsStep { standard.append(snapshot.step) }
        history.append(standard.map { [$0] } + diagnostics.values(U: snapshot.U, V: snapshot.V, residual: snapshot.residualVector))
        return true
    }

    /// The phases of the history recorded so far, with the plateau's window along `axis`
    /// ("iteration" for gradient descent, "time" for the flow), and the angles between the
    /// spectral subspaces and the truth's.
    func phases(_ thresholds: PhaseThresholds, axis: String = "iteration") -> Phases {
        var phases = PhaseDetector.detect(history, truthValues: diagnostics.truth?.values,
                                          spectralValues: diagnostics.spectral?.values, thresholds: thresholds, axis: axis)
        if let truth = diagnostics.truth, let spectral = diagnostics.spectral {
            let left = try? SubspaceGeometry.sine(of: spectral.left, from: truth.left)
            let right = try? SubspaceGeometry.sine(of: spectral.right, from: truth.right)
            (phases.spectralAngleLeft, phases.spectralAngleRight) = (left, problem.parameterization == .symmetric ? left : right)
        }
        return phases
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
    /// ‖𝒜_val(U_tV_tᵀ) − y_val‖/‖y_val‖, NaN without a validation set.
    public var validationError: Double
    /// η_t, the step size of the step into iterate t (η₀ at t = 0).
    public var step: Double
    /// U_t, n1 × k.
    public var U: Matrix
    /// V_t, n2 × k (U_t for the symmetric parameterization).
    public var V: Matrix
    /// ρ = 𝒜(U_tV_tᵀ) − y on every measurement.
    public var residualVector: [Double]
}
