/// The stop rules of docs/mathematics.md, "Stop rules", checked at every fully evaluated iterate
/// t with loss f_t, in this order:
///
/// - diverged: f_t > `divergenceFactor`·f₀ (f₀ > 0);
/// - converged: f_t ≤ `lossTolerance` (when > 0), or |f_t − f_{t−w}| ≤ `tolerance`·f_{t−w} for
///   t ≥ w = `window` (when `tolerance` > 0);
/// - the iteration limit: t ≥ `maxIterations`.
///
/// f_{t−w} comes from a ring of min(w, max_iter) losses, f_t in slot t mod w, so the slot f_t
/// goes to holds f_{t−w} (one slot when the rule is off; counted by `PeakMemory.run`). With
/// mini-batches, whose full loss is known only at recorded iterates, a slot holds the last full
/// loss written there.
struct StopRules {
    private let options: GradientDescentOptions
    private var recentLosses: [Double]
    /// f₀, set at t = 0.
    private var initialLoss = 0.0

    init(_ options: GradientDescentOptions) {
        self.options = options
        self.recentLosses = [Double](repeating: .nan, count: PeakMemory.ringLength(options))
    }

    /// The rule that holds at iterate t with the (finite) full loss f_t, if any.
    mutating func check(loss: Double, at t: Int) -> StopReason? {
        if t == 0 { initialLoss = loss }
        if initialLoss > 0 && loss > options.divergenceFactor * initialLoss { return .diverged }
        if options.lossTolerance > 0 && loss <= options.lossTolerance { return .converged }
        if options.tolerance > 0 {
            let slot = t % recentLosses.count
            let windowAgo = recentLosses[slot]  // f_{t−w}, NaN until then
            recentLosses[slot] = loss
            if t >= options.window && abs(loss - windowAgo) <= options.tolerance * windowAgo { return .converged }
        }
        if t >= options.maxIterations { return .maxIterations }
        return nil
    }
}
