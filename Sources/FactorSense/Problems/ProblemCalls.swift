/// The checked low-level calls of a problem — 𝒜(X), 𝒜*(ρ) and the loss with its gradients at
/// the caller's factors — for a caller's own optimizer. Each checks shapes, finiteness and
/// memory before computing, and throws what was wrong; the C calls `fs_problem_apply`,
/// `fs_problem_adjoint` and `fs_problem_loss_and_gradient` are these.
extension SensingProblem {
    /// 𝒜(X), m values.
    ///
    /// - Throws: `.sizeMismatch` unless X is n1 × n2, `.notFinite` for NaN or infinity in X,
    ///   `.outOfMemory` when the call's temporaries do not fit.
    public func apply(_ x: Matrix) throws(FactorSenseError) -> [Double] {
        guard sensingOperator.fits(x) else {
            throw FactorSenseError(.sizeMismatch, "X must be \(rows) × \(columns), got \(x.rows) × \(x.columns)")
        }
        try Self.checkFinite(x.elements, "X", columns: x.columns)
        try MemoryBudget.require(PeakMemory.apply(of: sensingOperator), for: "𝒜(X)")
        return sensingOperator.apply(x)
    }

    /// 𝒜*(ρ) = Σ_i ρ_i A_i, an n1 × n2 matrix.
    ///
    /// - Throws: `.sizeMismatch` unless ρ has m entries, `.notFinite` for NaN or infinity in
    ///   it, `.outOfMemory` when the call's temporaries do not fit.
    public func adjoint(_ residual: [Double]) throws(FactorSenseError) -> Matrix {
        guard residual.count == measurementCount else {
            throw FactorSenseError(.sizeMismatch, "the residual must have m = \(measurementCount) entries, got \(residual.count)")
        }
        try Self.checkFinite(residual, "the residual", columns: nil)
        try MemoryBudget.require(PeakMemory.adjoint(of: sensingOperator), for: "𝒜*(ρ)")
        return sensingOperator.adjoint(residual)
    }

    /// The loss of the problem's parameterization and its gradients at (U, V) — asymmetric
    /// f = ½‖𝒜(UVᵀ) − y‖², ∇_U f = 𝒜*(ρ)V, ∇_V f = 𝒜*(ρ)ᵀU; symmetric (pass V = nil)
    /// f = ¼‖𝒜(UUᵀ) − y‖², ∇f = ½(G + Gᵀ)U.
    ///
    /// - Throws: `.invalidArgument` for V given to a symmetric problem or missing for an
    ///   asymmetric one, `.sizeMismatch` unless U is n1 × k and V n2 × k (k ≥ 1), `.notFinite`
    ///   for NaN or infinity in U or V — and when the factors are finite but so large that the
    ///   loss or a gradient overflows (no result is returned then), `.outOfMemory` when the
    ///   evaluation's temporaries do not fit.
    public func lossAndGradient(U: Matrix, V: Matrix?) throws(FactorSenseError) -> Evaluation {
        switch (parameterization, V) {
        case (.symmetric, .some):
            throw FactorSenseError(.invalidArgument, "a symmetric (PSD) problem has one factor (X = UUᵀ): pass V = nil")
        case (.asymmetric, .none):
            throw FactorSenseError(.invalidArgument, "an asymmetric problem needs both factors U and V")
        default: break
        }
        let v = V ?? U
        guard U.columns >= 1, U.rows == rows, v.rows == columns, v.columns == U.columns else {
            throw FactorSenseError(.sizeMismatch,
                "U must be \(rows) × k and V \(columns) × k with k ≥ 1, got U \(U.rows) × \(U.columns) and V \(v.rows) × \(v.columns)")
        }
        try Self.checkFinite(U.elements, "U", columns: U.columns)
        try Self.checkFinite(v.elements, "V", columns: v.columns)
        try MemoryBudget.require(PeakMemory.evaluation(of: sensingOperator, measurements: measurementCount, width: U.columns),
                                 for: "the loss and gradient at width \(U.columns)")
        let evaluation = Objective(parameterization: parameterization)
            .evaluate(U: U, V: v, operator: sensingOperator, measurements: measurements)
        guard evaluation.loss.isFinite, evaluation.gradientU.isFinite, evaluation.gradientV.isFinite else {
            throw FactorSenseError(.notFinite,
                "the loss or its gradient overflows at these factors (f = \(evaluation.loss), ‖U‖_F = \(U.frobeniusNorm), ‖V‖_F = \(v.frobeniusNorm)): "
                + "they are finite but too large for double precision")
        }
        return evaluation
    }

    private static func checkFinite(_ values: [Double], _ name: String, columns: Int?) throws(FactorSenseError) {
        guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return }
        let position = columns.map { "(\(bad / $0), \(bad % $0))" } ?? "index \(bad)"
        throw FactorSenseError(.notFinite, "\(name) has a non-finite entry \(values[bad]) at \(position)")
    }
}
