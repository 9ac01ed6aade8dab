// Recover a rank-3 40 × 30 matrix from 900 Gaussian measurements by factorized gradient descent
#if canImport(Glibc)
import Glibc
#endif
// from a small random initialization, natively in Swift:  swift run recover-swift
import FactorSense

let problem = try SensingProblem.gaussian(rows: 40, columns: 30, rank: 3, measurements: 900, seed: 0)

var options = GradientDescentOptions()
options.width = 10          // k > r: overparameterized
options.initScale = 1e-3    // α, the small random initialization
options.step = 0.5          // η
options.maxIterations = 3000
options.recordEvery = 10
options.seed = 1

let result = try GradientDescent.run(problem, options: options) { snapshot in
    if snapshot.iteration % 500 == 0 {
        print("iteration \(snapshot.iteration)  loss \(snapshot.loss)  test error \(snapshot.testError)")
    }
    return false  // keep going
}
let testError = result.history.column("test_error")?.last ?? .nan
print("stopped: \(result.stopReason) after \(result.iterations) iterations; test error \(testError)")
if !(testError < 1e-2) {
    print("recovery failed")
    exit(1)
}
