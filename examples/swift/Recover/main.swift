// Recover a rank-3 40 × 30 matrix from 900 Gaussian measurements by factorized gradient descent
// from a small random initialization, natively in Swift, and read the phases of the run off its
// recorded diagnostics:  swift run recover-swift
#if canImport(Glibc)
import Glibc
#endif
import FactorSense

let problem = try SensingProblem.gaussian(rows: 40, columns: 30, rank: 3, measurements: 900, seed: 0)

var options = GradientDescentOptions()
options.width = 10          // k > r: overparameterized
options.initScale = 1e-3    // α, the small random initialization
options.step = 0.5          // η
options.maxIterations = 3000
options.recordEvery = 1      // every iterate: the phases are read off the record
options.seed = 1
options.diagnostics = .chosen([.singularValues, .imbalance, .spectralAlignmentLeft, .spectralAlignmentRight])

let result = try GradientDescent.run(problem, options: options) { snapshot in
    if snapshot.iteration % 500 == 0 {
        print("iteration \(snapshot.iteration)  loss \(snapshot.loss)  test error \(snapshot.testError)")
    }
    return false  // keep going
}
let testError = result.history.column("test_error")?.last ?? .nan
print("stopped: \(result.stopReason) after \(result.iterations) iterations; test error \(testError)")
let phases = result.phases
print("end of phase (II), saddle avoidance: iteration \(phases.saddleEnd.map { String($0.iteration) } ?? "not resolved")")
print("singular values learned (σ_i ≥ ½ s⋆_i) at iterations", phases.learningTimes.map { $0.map { String($0.iteration) } ?? "-" })
print("imbalance ‖UᵀU − VᵀV‖_F at the end:", result.history.column("imbalance")?.last ?? .nan)
if !(testError < 1e-2) {
    print("recovery failed")
    exit(1)
}
