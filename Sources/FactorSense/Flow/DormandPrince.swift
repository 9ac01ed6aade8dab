import Glibc

/// The embedded Runge–Kutta pair of Dormand & Prince (1980), order 5 with an order-4 error
/// estimate, with the step-size control and the dense output of Hairer, Nørsett & Wanner,
/// *Solving Ordinary Differential Equations I* (§II.4–II.6), for y' = f(t, y), y ∈ ℝᴺ.
///
/// One step of size h from (t, y), with k₁ = f(t, y) (the last stage of the step before: FSAL):
///
///     kᵢ = f(t + cᵢh, y + h Σ_{j<i} aᵢⱼ kⱼ)           i = 2 … 7,
///     y⁺ = y + h Σ bᵢ kᵢ                              (order 5; b is row 7 of a, so k₇ = f(t + h, y⁺)),
///     e  = h Σ (bᵢ − b̂ᵢ) kᵢ                           (y⁺ minus the order-4 solution),
///     err = √( (1/N) Σⱼ (eⱼ / (atol + rtol·max(|yⱼ|, |y⁺ⱼ|)))² ).
///
/// The step is accepted when err ≤ 1. Either way the next size is
/// h·min(10, max(0.2, 0.9·err^{−1/5})) — not larger after a rejection. The first size is
/// Hairer's estimate (one extra evaluation). Between t and t + h the solution is the order-4
/// continuous extension y(t + θh) = y + h Σᵢ kᵢ Σ_{p=1}^{4} Pᵢₚ θᵖ (Shampine 1986, the
/// coefficients SciPy's RK45 uses), so requested times cost no extra steps.
struct DormandPrince: EmbeddedRungeKutta {
    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// bᵢ − b̂ᵢ: the order-5 weights (row 7 of a, then 0) minus the order-4 ones.
    static let errorWeights: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]
    /// Pᵢₚ of the continuous extension, stage i, power p = 1 … 4.
    static let dense: [[Double]] = [
        [1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432],
        [0, 0, 0, 0],
        [0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799],
        [0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072],
        [0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408, 701980252875.0 / 199316789632],
        [0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844],
        [0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423],
    ]
    static let safety = 0.9
    static let minFactor = 0.2
    static let maxFactor = 10.0

    /// Why an integration ended.
    enum Ending: Equatable {
        /// Every requested time was reached.
        case finished
        /// The right-hand side (or the observer) asked to stop.
        case stoppedByCaller
        /// A value became NaN or infinite.
        case nonFinite
        /// The step size fell below what t can resolve (16 ulps of t).
        case stepUnderflow
        /// The budget of evaluations ran out.
        case evaluationBudget
    }

    /// Counts of an integration.
    struct Statistics: Equatable, Sendable {
        var accepted = 0
        var rejected = 0
        var evaluations = 0
    }

    let rtol: Double
    let atol: Double
    let maxEvaluations: Int

    static let estimateOrder = 4
    static let errorExponent = -0.2
    static let evaluationsPerStep = 6

    /// The seven stages of a step (`stagesOfStep`).
    func trial(_ t: Double, _ y: [Double], _ k0: [Double], _ h: Double,
               f: (Double, [Double]) -> [Double]?) -> (stages: [[Double]], candidate: [Double])? {
        stagesOfStep(t, y, k0, h, f: f).map { ($0.stages, $0.solution) }
    }

    /// The requested times in (t, tNew] by the continuous extension, tNew itself as y⁺.
    func output(_ t: Double, _ y: [Double], _ candidate: [Double], _ stages: inout [[Double]], _ h: Double, tNew: Double,
                times: [Double], next: inout Int, f: (Double, [Double]) -> [Double]?,
                statistics: inout Statistics, observe: (Int, Double, [Double]) -> Bool) -> Bool {
        while next < times.count && times[next] <= tNew {
            let value = times[next] == tNew ? candidate : interpolate(y, stages, h, theta: (times[next] - t) / h)
            guard observe(next, times[next], value) else { return false }
            next += 1
        }
        return true
    }

    /// The seven stages of a step of size h and the order-5 solution; nil when f asks to stop.
    private func stagesOfStep(_ t: Double, _ y: [Double], _ k1: [Double], _ h: Double,
                              f: (Double, [Double]) -> [Double]?) -> (stages: [[Double]], solution: [Double])? {
        var stages = [k1]
        var solution = y
        for i in 1..<7 {
            var point = y
            for (j, weight) in Self.a[i].enumerated() where weight != 0 {
                BLAS.axpy(h * weight, stages[j], &point)
            }
            if i == 6 { solution = point }  // row 7 of a is b: the stage point is y⁺
            guard let k = f(t + Self.c[i] * h, point) else { return nil }
            stages.append(k)
        }
        return (stages, solution)
    }

    /// The scaled RMS norm of the embedded error estimate.
    func errorNorm(_ y: [Double], _ candidate: [Double], _ stages: [[Double]], _ h: Double) -> Double {
        var e = [Double](repeating: 0, count: y.count)
        for (i, weight) in Self.errorWeights.enumerated() where weight != 0 { BLAS.axpy(h * weight, stages[i], &e) }
        var sum = 0.0
        for j in y.indices {
            let scale = atol + rtol * max(abs(y[j]), abs(candidate[j]))
            let ratio = e[j] / scale
            sum += ratio * ratio
        }
        return (sum / Double(max(y.count, 1))).squareRoot()
    }

    /// y(t + θh) by the continuous extension.
    private func interpolate(_ y: [Double], _ stages: [[Double]], _ h: Double, theta: Double) -> [Double] {
        var value = y
        for (i, coefficients) in Self.dense.enumerated() {
            var weight = 0.0, power = theta
            for p in coefficients { weight += p * power; power *= theta }
            if weight != 0 { BLAS.axpy(h * weight, stages[i], &value) }
        }
        return value
    }

    /// Hairer's first step for a method whose error estimate has order p: h₀ = 0.01‖y₀‖/‖f₀‖
    /// (scaled norms), an Euler step to estimate the second derivative, then
    /// h = min(100h₀, (0.01/max(‖f₀‖, ‖f'‖))^{1/(p+1)}); nil when f stops.
    static func initialStep(_ t: Double, _ y: [Double], _ f0: [Double], toward end: Double, order: Int,
                            rtol: Double, atol: Double,
                            f: (Double, [Double]) -> [Double]?, statistics: inout Statistics) -> Double? {
        let scale = y.map { atol + rtol * abs($0) }
        func norm(_ v: [Double]) -> Double {
            var sum = 0.0
            for j in v.indices { sum += (v[j] / scale[j]) * (v[j] / scale[j]) }
            return (sum / Double(max(v.count, 1))).squareRoot()
        }
        let (d0, d1) = (norm(y), norm(f0))
        let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1
        var euler = y
        BLAS.axpy(h0, f0, &euler)
        guard let f1 = f(t + h0, euler) else { return nil }
        statistics.evaluations += 1
        var difference = f1
        BLAS.axpy(-1, f0, &difference)
        let d2 = norm(difference) / h0
        let h1 = max(d1, d2) <= 1e-15 ? max(1e-6, h0 * 1e-3) : pow(0.01 / max(d1, d2), 1 / Double(order + 1))
        let h = min(100 * h0, h1)
        return h.isFinite && h > 0 ? min(h, end - t) : min(1e-6, end - t)
    }

    static func allFinite(_ v: [Double]) -> Bool { v.allSatisfy(\.isFinite) }
}
