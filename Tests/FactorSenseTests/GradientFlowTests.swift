import Foundation
import Testing
@testable import FactorSense

/// The Dormand–Prince integrator against closed forms, and `GradientFlow.run`'s settings,
/// perturbations and stop reasons (Python compares the flow with scipy's solve_ivp).
@Suite struct GradientFlowTests {
    /// y' = A y with A = [[−0.1, 1], [−1, −0.1]]: y(t) = e^{−0.1t}(cos t·y₀ + sin t·(A + 0.1I)y₀).
    @Test func aLinearODEFollowsItsClosedForm() {
        let integrator = DormandPrince(rtol: 1e-10, atol: 1e-12, maxEvaluations: 100_000)
        let times = stride(from: 0.0, through: 10, by: 0.5).map { $0 }
        var worst = 0.0
        let outcome = integrator.integrate([1, 0], times: times, f: { _, y in
            [-0.1 * y[0] + y[1], -y[0] - 0.1 * y[1]]
        }, observe: { _, t, y in
            let decay = exp(-0.1 * t)
            worst = max(worst, abs(y[0] - decay * cos(t)), abs(y[1] + decay * sin(t)))
            return true
        })
        #expect(outcome.ending == .finished)
        #expect(worst < 1e-8)
        #expect(outcome.statistics.accepted > 0 && outcome.statistics.evaluations == 6 * (outcome.statistics.accepted + outcome.statistics.rejected) + 2)
    }

    /// The scalar factorization flow from a balanced start: x = uv is logistic, x' = 2x(s − x).
    @Test func theScalarFactorizationFlowIsLogistic() throws {
        let (s, x0) = (3.0, 1e-3)
        let problem = try SensingProblem.generate(.identity, target: GroundTruth.dense(try Matrix(rows: 1, columns: 1, elements: [s])), measurements: 1)
        var options = GradientDescentOptions()
        let u0 = try Matrix(rows: 1, columns: 1, elements: [x0.squareRoot()])
        options.initialFactors = try InitialFactors(U: u0, V: u0)
        options.diagnostics = .chosen([])
        let times = [0.0, 0.5, 1, 2, 4]
        let result = try GradientFlow.run(problem, options: options, settings: .init(times: times, rtol: 1e-11, atol: 1e-14))
        #expect(result.stopReason == .endTime)
        let x = result.U[0, 0] * result.V[0, 0]
        let logistic = s / (1 + (s / x0 - 1) * exp(-2 * s * 4))
        #expect(abs(x - logistic) <= 1e-9 * logistic)
        #expect(result.history.column("time") == times)
    }

    @Test func settingsAreChecked() throws {
        let problem = try SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 6, columns: 5, rank: 2), measurements: 60, seed: 1)
        var options = GradientDescentOptions()
        options.width = 2
        for times in [[], [0, 1, 1], [1, 0.5], [-1, 1], [0, .nan]] {
            #expect(throws: FactorSenseError.self) { try GradientFlow.run(problem, options: options, settings: .init(times: times)) }
        }
        #expect(throws: FactorSenseError.self) { try GradientFlow.run(problem, options: options, settings: .init(times: [0, 1], rtol: 0)) }
        let wrongShape: GradientFlow.Perturbation = .custom { _, _, _ throws(FactorSenseError) in Matrix(rows: 2, columns: 2) }
        #expect(throws: FactorSenseError.self) {
            try GradientFlow.run(problem, options: options, settings: .init(times: [0, 1], perturbation: wrongShape))
        }
        let stops: GradientFlow.Perturbation = .custom { t, _, _ throws(FactorSenseError) in t > 0.3 ? nil : Matrix(rows: 6, columns: 5) }
        let stopped = try GradientFlow.run(problem, options: options, settings: .init(times: [0, 0.2, 0.4, 0.6], perturbation: stops))
        #expect(stopped.stopReason == .callback && stopped.iterations <= 1)
    }

    /// Issue 22: the variants of gradient descent the flow has no counterpart of are refused,
    /// naming the option, instead of ignored.
    @Test func descentVariantsAreRefused() throws {
        let problem = try SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 6, columns: 5, rank: 2), measurements: 60, seed: 1)
        let variants: [(String, (inout GradientDescentOptions) -> Void)] = [
            ("preconditioner", { $0.preconditioner = .scaled }), ("noise_injection", { $0.noiseInjection = 0.1 }),
            ("batch_size", { $0.batchSize = 10 }), ("step_rule", { $0.stepRule = .auto }),
            ("patience", { $0.patience = 2 }), ("restore_best", { $0.restoreBest = true }),
        ]
        for (name, apply) in variants {
            var options = GradientDescentOptions()
            options.width = 2
            apply(&options)
            #expect { try GradientFlow.run(problem, options: options, settings: .init(times: [0, 1])) } throws: {
                ($0 as? FactorSenseError)?.message.contains("the gradient flow has no \(name)") == true
            }
        }
    }

    /// Issue 22: the population flows (E = 0 or the caller's) follow ½‖UVᵀ − X⋆‖²_F, which has
    /// no balancing or ridge term: those options are refused there, not ignored.
    @Test func thePopulationFlowRefusesBalancingAndRidge() throws {
        let problem = try SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 6, columns: 5, rank: 2), measurements: 60, seed: 1)
        let zero: GradientFlow.Perturbation = .custom { _, _, _ throws(FactorSenseError) in Matrix(rows: 6, columns: 5) }
        for (name, apply) in [("balancing", { (o: inout GradientDescentOptions) in o.balancing = 0.5 }),
                              ("ridge", { (o: inout GradientDescentOptions) in o.ridge = 0.5 })] {
            var options = GradientDescentOptions()
            options.width = 2
            apply(&options)
            for perturbation in [GradientFlow.Perturbation.none, zero] {
                #expect { try GradientFlow.run(problem, options: options, settings: .init(times: [0, 1], perturbation: perturbation)) } throws: {
                    ($0 as? FactorSenseError)?.message.contains("\(name) 0.5, but the population flow") == true
                }
            }
            #expect(try GradientFlow.run(problem, options: options, settings: .init(times: [0, 1])).stopReason == .endTime)
        }
    }
}
