import Glibc

/// An embedded Runge–Kutta pair that `integrate` steps with: its stages, its error estimate and
/// its dense output. The driver — the step-size control of Hairer, Nørsett & Wanner (§II.4), the
/// same for every pair — lives once, in the extension below.
protocol EmbeddedRungeKutta {
    var rtol: Double { get }
    var atol: Double { get }
    var maxEvaluations: Int { get }
    /// The order of the error estimate, for the first step (`DormandPrince.initialStep`).
    static var estimateOrder: Int { get }
    /// The exponent of the step factor 0.9·err^exponent (−1/(order + 1)).
    static var errorExponent: Double { get }
    /// The evaluations of f a trial step costs (its first stage is the last one's: FSAL).
    static var evaluationsPerStep: Int { get }
    /// The stages of a trial step of size h from (t, y) with first stage k₀, and y⁺; the last
    /// stage is f(t + h, y⁺). Nil when f asks to stop.
    func trial(_ t: Double, _ y: [Double], _ k0: [Double], _ h: Double,
               f: (Double, [Double]) -> [Double]?) -> (stages: [[Double]], candidate: [Double])?
    /// The scaled error norm of a trial: ≤ 1 accepts it.
    func errorNorm(_ y: [Double], _ candidate: [Double], _ stages: [[Double]], _ h: Double) -> Double
    /// Hands `observe` the solution at each requested time times[next…] ≤ tNew of the accepted
    /// step from (t, y) to (tNew, candidate), advancing `next`; false when f or `observe` stops.
    func output(_ t: Double, _ y: [Double], _ candidate: [Double], _ stages: inout [[Double]], _ h: Double, tNew: Double,
                times: [Double], next: inout Int, f: (Double, [Double]) -> [Double]?,
                statistics: inout DormandPrince.Statistics, observe: (Int, Double, [Double]) -> Bool) -> Bool
}

extension EmbeddedRungeKutta {
    /// Integrates from y(times[0]) = y0 and hands `observe(index, t, y)` the solution at each
    /// requested time in order (times[0] first, with y0); `f(t, y)` is the right-hand side, nil
    /// to stop; `observe` returns false to stop, and so does `accepted(t, y)`, called after every
    /// accepted step (between requested times too). Returns the ending and the counts.
    ///
    /// A step of size h is accepted when err ≤ 1; either way the next size is
    /// h·min(10, max(0.2, 0.9·err^exponent)) — not larger after a rejection. A non-finite trial
    /// is a rejection with the smallest factor; the step may not fall below 16 ulps of t.
    func integrate(_ y0: [Double], times: [Double], f: (Double, [Double]) -> [Double]?,
                   observe: (Int, Double, [Double]) -> Bool,
                   accepted: (Double, [Double]) -> Bool = { _, _ in true })
    -> (ending: DormandPrince.Ending, statistics: DormandPrince.Statistics) {
        var statistics = DormandPrince.Statistics()
        guard observe(0, times[0], y0) else { return (.stoppedByCaller, statistics) }
        guard times.count > 1 else { return (.finished, statistics) }
        var t = times[0], y = y0
        guard let f0 = f(t, y) else { return (.stoppedByCaller, statistics) }
        statistics.evaluations += 1
        guard DormandPrince.allFinite(f0) else { return (.nonFinite, statistics) }
        var k0 = f0, next = 1
        let end = times[times.count - 1]
        guard var h = DormandPrince.initialStep(t, y, k0, toward: end, order: Self.estimateOrder, rtol: rtol, atol: atol,
                                                f: f, statistics: &statistics) else { return (.stoppedByCaller, statistics) }
        var rejectedLast = false
        while next < times.count {
            if statistics.evaluations + Self.evaluationsPerStep > maxEvaluations { return (.evaluationBudget, statistics) }
            h = min(h, end - t)
            guard h > 16 * t.ulp.magnitude, h > 0 else { return (.stepUnderflow, statistics) }
            guard let step = trial(t, y, k0, h, f: f) else { return (.stoppedByCaller, statistics) }
            var stages = step.stages
            let candidate = step.candidate
            statistics.evaluations += Self.evaluationsPerStep
            guard let last = stages.last, DormandPrince.allFinite(candidate), DormandPrince.allFinite(last) else {
                statistics.rejected += 1
                h *= DormandPrince.minFactor
                rejectedLast = true
                if h <= 16 * t.ulp.magnitude { return (.nonFinite, statistics) }
                continue
            }
            let error = errorNorm(y, candidate, stages, h)
            guard error.isFinite else { return (.nonFinite, statistics) }
            let factor = DormandPrince.safety * (error > 0 ? pow(error, Self.errorExponent) : .infinity)
            guard error <= 1 else {
                statistics.rejected += 1
                h *= max(DormandPrince.minFactor, factor)
                rejectedLast = true
                continue
            }
            statistics.accepted += 1
            let tNew = next == times.count - 1 && end - (t + h) <= 16 * end.ulp.magnitude ? end : t + h
            guard output(t, y, candidate, &stages, h, tNew: tNew, times: times, next: &next, f: f,
                         statistics: &statistics, observe: observe) else { return (.stoppedByCaller, statistics) }
            (t, y, k0) = (tNew, candidate, last)
            guard next >= times.count || accepted(t, y) else { return (.stoppedByCaller, statistics) }
            h *= min(rejectedLast ? 1 : DormandPrince.maxFactor, max(DormandPrince.minFactor, factor))
            rejectedLast = false
        }
        return (.finished, statistics)
    }
}
