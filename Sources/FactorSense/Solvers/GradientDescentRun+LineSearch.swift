/// The automatic step rule's part of a run (`AutomaticStep`): η₀ at the start, and the
/// backtracking line search of each step.
extension GradientDescentRun {
    /// The outcome of one backtracking line search.
    enum LineSearch {
        case accepted(Evaluation)
        case noDecrease
        case interrupted
    }

    /// η₀ of the automatic step (`AutomaticStep`, step 1) at the current iterate.
    func initialStep(at current: Evaluation) -> Double {
        let estimate = AutomaticStep.lipschitzEstimate(U: U, V: V, symmetric: symmetric, seed: options.seed) { u, v in
            let evaluation = objective.evaluate(U: u, V: v, operator: problem.sensingOperator, measurements: problem.measurements)
            return (evaluation.gradientU, evaluation.gradientV)
        }
        return estimate.isFinite && estimate > 0 ? 1 / estimate : options.step
    }

    /// Step 2 of `AutomaticStep` from the current iterate, whose evaluation is `current`: on
    /// acceptance (U, V) is the new iterate; otherwise it is left unchanged.
    mutating func lineSearch(from current: Evaluation) -> LineSearch {
        let (savedU, savedV) = (U, V)
        var eta = steps.next
        for _ in 0...AutomaticStep.maxHalvings {
            defer { eta /= 2 }
            (U, V) = (savedU, savedV)
            guard update(with: current, step: eta), U.isFinite, V.isFinite else { continue }
            // η⟨g, d⟩ = ⟨g, x − x⁺⟩ (for PSD, over U alone: f is a function of U).
            var decrease = BLAS.dot(current.gradientU.elements, savedU.elements) - BLAS.dot(current.gradientU.elements, U.elements)
            if !symmetric {
                decrease += BLAS.dot(current.gradientV.elements, savedV.elements) - BLAS.dot(current.gradientV.elements, V.elements)
            }
            let trial = evaluateFully()
            if isInterrupted {
                (U, V) = (savedU, savedV)
                return .interrupted
            }
            if trial.loss.isFinite && trial.loss <= current.loss - AutomaticStep.sufficientDecrease * decrease {
                steps.accept(eta)
                return .accepted(trial)
            }
        }
        (U, V) = (savedU, savedV)
        return .noDecrease
    }
}
