#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FactorSense

/// Issue 23: the theory's predictions for a problem (`SensingProblem.spectrum`, `predictions`)
/// against closed forms, against what a run measures, and their refusals.
@Suite struct PredictionTests {
    /// Matrix factorization without noise: 𝒜*(y) = X⋆, so λ_i = s⋆_i (geometric from 1 to 1/κ),
    /// the spectral subspace is the truth's, the gap 0, and the learning times have closed forms.
    @Test(arguments: [false, true])
    func closedFormsOnMatrixFactorization(psd: Bool) throws {
        let (r, kappa, alpha, eta) = (3, 4.0, 1e-5, 0.3)
        let target = TargetSpecification(rows: 7, columns: psd ? 7 : 5, rank: r, conditionNumber: kappa, positiveSemidefinite: psd)
        let problem = try SensingProblem.generate(.identity, target: target, measurements: 0, seed: 3)
        let s = (0..<r).map { pow(kappa, -Double($0) / Double(r - 1)) }
        let spectrum = try problem.spectrum(count: r + 1)
        for i in 0..<r { #expect(abs(spectrum[i] - s[i]) <= 1e-12) }
        #expect(abs(spectrum[r]) <= 1e-12)
        let p = try problem.predictions(initScale: alpha, step: eta)
        #expect(p.rank == r && abs(p.gap) <= 1e-12 && abs(p.plateauSlope - 2) <= 1e-12)
        #expect(p.spectralAngleLeft <= 1e-12 && p.spectralAngleRight <= 1e-12)
        for i in 0..<r {
            let c = ((psd ? 1 : 2) * s[i]).squareRoot()
            #expect(abs(p.learningIterations[i] / (log(c / alpha) / log1p(eta * s[i])) - 1) <= 1e-12)
            #expect(abs(p.learningTimes[i] / (log(c / alpha) / s[i]) - 1) <= 1e-12)
        }
        let flowOnly = try problem.predictions(initScale: alpha, fraction: 0.2)
        #expect(flowOnly.learningIterations.allSatisfy { $0.isNaN })
        #expect(abs(flowOnly.learningTimes[0] - log(((psd ? 1 : 2) * 0.25).squareRoot() / alpha)) <= 1e-12)
    }

    /// On a well-separated spectrum, gradient descent learns each σ_i within 15 % of the
    /// predicted iteration.
    @Test func predictedLearningIterationsMatchARun() throws {
        let problem = try SensingProblem.generate(.gaussian, target: TargetSpecification(rows: 24, columns: 20, rank: 2, conditionNumber: 2),
                                                  measurements: 1200, seed: 7)
        var o = GradientDescentOptions()
        (o.width, o.initScale, o.step, o.maxIterations, o.seed) = (12, 1e-6, 0.2, 400, 2)
        o.diagnostics = .chosen([.singularValues])
        let predicted = try problem.predictions(initScale: o.initScale, step: o.step)
        let measured = try GradientDescent.run(problem, options: o).phases.learningTimes.map { Double($0?.iteration ?? -1) }
        #expect(measured.count == 2)
        for (p, m) in zip(predicted.learningIterations, measured) { #expect(abs(p / m - 1) <= 0.15, "\(p) vs \(m)") }
    }

    /// The kept decomposition changes no bit of a later spectral start.
    @Test func theKeptSpectrumGivesTheSameSpectralStart() throws {
        let make = { () throws(FactorSenseError) in try SensingProblem.gaussian(rows: 9, columns: 6, rank: 2, measurements: 90, seed: 1) }
        let fresh = try InitialFactors.spectral(try make(), width: 3)
        let asked = try make()
        let first = try asked.spectrum(count: 4)
        #expect(try asked.spectrum(count: 4) == first)
        let again = try InitialFactors.spectral(asked, width: 3)
        #expect(fresh.U == again.U && fresh.V == again.V)
    }

    @Test func badArgumentsAreRefused() throws {
        let problem = try SensingProblem.gaussian(rows: 9, columns: 6, rank: 2, measurements: 90, seed: 1)
        let bare = try SensingProblem(operator: problem.sensingOperator, measurements: problem.measurements)
        Self.refuses("count must be between 1 and min(n1, n2) = 6") { () throws(FactorSenseError) in _ = try problem.spectrum(count: 0) }
        Self.refuses("count must be between 1 and min(n1, n2) = 6") { () throws(FactorSenseError) in _ = try problem.spectrum(count: 7) }
        Self.refuses("init_scale must be > 0") { () throws(FactorSenseError) in _ = try problem.predictions(initScale: 0) }
        Self.refuses("init_scale must be finite") { () throws(FactorSenseError) in _ = try problem.predictions(initScale: .nan) }
        Self.refuses("step must be > 0") { () throws(FactorSenseError) in _ = try problem.predictions(initScale: 1e-3, step: -1) }
        Self.refuses("fraction must be in (0, 1)") { () throws(FactorSenseError) in _ = try problem.predictions(initScale: 1e-3, fraction: 1) }
        Self.refuses("rank must be between 1 and") { () throws(FactorSenseError) in _ = try problem.predictions(initScale: 1e-3, rank: 7) }
        Self.refuses("no ground truth, so pass rank") { () throws(FactorSenseError) in _ = try bare.predictions(initScale: 1e-3) }
        let withoutTruth = try bare.predictions(initScale: 1e-3, step: 0.1, rank: 2)
        #expect(withoutTruth.spectralAngleLeft.isNaN && withoutTruth.learningIterations.allSatisfy { $0.isNaN })
        #expect(withoutTruth.gap.isFinite)
    }

    /// Expects `call` to throw a FactorSenseError whose message contains `message`.
    static func refuses(_ message: String, _ call: () throws(FactorSenseError) -> Void) {
        do throws(FactorSenseError) {
            try call()
            Issue.record("not refused: \(message)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}
