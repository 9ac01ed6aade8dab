/// The function a run minimizes: the sensing loss of the problem's parameterization, plus the
/// balancing regularizer (λ/8)‖UᵀU − VᵀV‖²_F of the asymmetric case (docs/mathematics.md, "Comparison
/// variants").
///
/// Asymmetric, with ρ = 𝒜(UVᵀ) − y, G = 𝒜*(ρ) and D = UᵀU − VᵀV:
///
///     f = ½‖ρ‖² + (λ/8)‖D‖²_F,   ∇_U f = G V + (λ/2) U D,   ∇_V f = Gᵀ U − (λ/2) V D.
///
/// Symmetric (V = U): f = ¼‖ρ‖², ∇f = ½(G + Gᵀ) U.
///
/// The ridge μ ≥ 0 on the factors (docs/completion.md, "Ridge") adds
///
///     asymmetric: (μ/2)(‖U‖²_F + ‖V‖²_F),  ∇_U += μU, ∇_V += μV;
///     symmetric:  (μ/2)‖U‖²_F,             ∇ += μU,
///
/// so the symmetric objective stays half the asymmetric one at V = U, as its loss is. The ridge
/// is not multiplied by a mini-batch's `weight`: it is not a sum over measurements.
public struct Objective: Sendable {
    public let parameterization: Parameterization
    /// λ ≥ 0 of the balancing regularizer (asymmetric only).
    public let balancing: Double
    /// μ ≥ 0 of the ridge on the factors.
    public let ridge: Double

    public init(parameterization: Parameterization, balancing: Double = 0, ridge: Double = 0) {
        self.parameterization = parameterization
        self.balancing = balancing
        self.ridge = ridge
    }

    /// f and its gradients at (U, V) for the measurements `y` of `sensingOperator`, all
    /// multiplied by `weight` (m/b for a mini-batch of b of m measurements). For the symmetric
    /// parameterization V must be U, and `gradientV` repeats `gradientU`. Arguments of the wrong
    /// shapes give NaN values (the contract of `MeasurementOperator`); `SensingProblem.lossAndGradient`
    /// checks them and throws.
    public func evaluate(U: Matrix, V: Matrix, operator sensingOperator: any MeasurementOperator,
                         measurements y: [Double], weight: Double = 1) -> Evaluation {
        guard sensingOperator.fits(U: U, V: V), y.count == sensingOperator.measurementCount,
              parameterization == .asymmetric || (U.rows == V.rows && U.columns == V.columns)
        else {  // the operator's contract: arguments of the wrong shape give NaN, never a trap
            let gradient = sensingOperator.notDifferentiable(U: U, V: V)
            return Evaluation(residual: gradient.residual, loss: .nan, gradientU: gradient.gradientU, gradientV: gradient.gradientV)
        }
        var pass = sensingOperator.residualAndGradient(U: U, V: V, measurements: y)
        let squaredResidual = BLAS.dot(pass.residual, pass.residual)
        switch parameterization {
        case .symmetric:
            var gradient = pass.gradientU
            BLAS.axpy(1, pass.gradientV.elements, &gradient.elements)
            gradient.scale(by: 0.5 * weight)
            var loss = 0.25 * weight * squaredResidual
            if ridge > 0 {
                BLAS.axpy(ridge, U.elements, &gradient.elements)
                loss += ridge / 2 * BLAS.dot(U.elements, U.elements)
            }
            return Evaluation(residual: pass.residual, loss: loss,
                              gradientU: gradient, gradientV: gradient)
        case .asymmetric:
            pass.gradientU.scale(by: weight)
            pass.gradientV.scale(by: weight)
            var loss = 0.5 * weight * squaredResidual
            if balancing > 0 {
                var imbalance = BLAS.product(U, transposeA: true, U)
                BLAS.gemm(-1, V, transposeA: true, V, 1, &imbalance)
                BLAS.gemm(balancing / 2, U, imbalance, 1, &pass.gradientU)
                BLAS.gemm(-balancing / 2, V, imbalance, 1, &pass.gradientV)
                let norm = imbalance.frobeniusNorm
                loss += balancing / 8 * norm * norm
            }
            if ridge > 0 {
                BLAS.axpy(ridge, U.elements, &pass.gradientU.elements)
                BLAS.axpy(ridge, V.elements, &pass.gradientV.elements)
                loss += ridge / 2 * (BLAS.dot(U.elements, U.elements) + BLAS.dot(V.elements, V.elements))
            }
            return Evaluation(residual: pass.residual, loss: loss,
                              gradientU: pass.gradientU, gradientV: pass.gradientV)
        }
    }
}

/// f and its gradients at one point, with the residual ρ = 𝒜(X) − y they came from.
public struct Evaluation: Sendable {
    /// ρ = 𝒜(X) − y.
    public var residual: [Double]
    /// f.
    public var loss: Double
    /// ∇_U f.
    public var gradientU: Matrix
    /// ∇_V f (equal to ∇_U f for the symmetric parameterization).
    public var gradientV: Matrix
}
