import Synchronization

/// A request to stop a long computation, made from any thread (Ctrl-C, a timer, a user interface)
/// and seen by the computation at its next check — at least every 0.1 s of its work.
///
/// Long computations take one: `GradientDescent.run(_:options:progress:stop:)`,
/// `SensingProblem.generate(_:target:measurements:noiseLevel:seed:stop:)`. While one runs, the
/// request is *current* (`watch(_:)`), and the long loops inside — the Gaussian draws of an
/// operator, the row chunks of a dense pass over 𝒜, 𝒜*(y) for the spectral initialization —
/// check `StopRequest.current` between blocks of work:
///
/// - a generation or a spectral initialization that sees the request throws `.interrupted`;
/// - a gradient-descent run that sees it ends with `StopReason.interrupted` and the last iterate
///   whose evaluation was complete (or throws `.interrupted` when it had none yet).
///
/// A pass that sees the request abandons its work and leaves partial values, which the caller
/// throws away: every caller checks `isRequested` after a pass it depends on.
///
/// LAPACK calls (the SVD or eigendecomposition of the spectral initialization) cannot be
/// stopped: they are checked right before and right after, and bounded by the memory guard.
///
/// A request stays made until `reset()`: one request can stop several computations.
///
/// The `async` overloads (`GradientDescent.run(_:options:validation:progress:stop:) async`, …)
/// map the cancellation of their task to a request of their own that *follows* `stop`: it is
/// made when `stop` is, or when the task is cancelled — which leaves `stop` itself as it was.
public final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)
    /// The request this one follows: when it is made, this one reads as made too.
    private let parent: StopRequest?

    public init() {
        parent = nil
    }

    /// A request made when `parent` is made, or when it is itself.
    init(following parent: StopRequest?) {
        self.parent = parent
    }

    /// Asks every computation watching this request to stop. Thread-safe, never blocks.
    public func request() {
        flag.store(true, ordering: .releasing)
    }

    /// Whether a stop was requested (and not reset since) of this request or of the one it follows.
    public var isRequested: Bool {
        flag.load(ordering: .acquiring) || parent?.isRequested == true
    }

    /// Withdraws the request, so that the next computation watching it runs (a request this one
    /// follows is left as it is).
    public func reset() {
        flag.store(false, ordering: .releasing)
    }

    /// Throws `.interrupted` when a stop was requested; `what` names the work that stops.
    public func check(_ what: @autoclosure () -> String) throws(FactorSenseError) {
        if isRequested { throw FactorSenseError(.interrupted, "\(what()) was interrupted by a stop request") }
    }

    /// The request the computations of this thread watch, set by `watch(_:)`; nil outside.
    @TaskLocal public static var current: StopRequest?

    /// Runs `body` with this request as `StopRequest.current`.
    public func watch<R>(_ body: () throws(FactorSenseError) -> R) throws(FactorSenseError) -> R {
        let outcome: Result<R, FactorSenseError> = Self.$current.withValue(self) {
            do throws(FactorSenseError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Runs `body` with no current request: the passes it makes are never abandoned, even when it
    /// runs inside a watched computation (a progress handler that evaluates its own things).
    public static func ignoring<R>(_ body: () throws(FactorSenseError) -> R) throws(FactorSenseError) -> R {
        let outcome: Result<R, FactorSenseError> = $current.withValue(nil) {
            do throws(FactorSenseError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Throws `.interrupted` when the current request (if any) was made.
    public static func checkCurrent(_ what: @autoclosure () -> String) throws(FactorSenseError) {
        try current?.check(what())
    }

    /// How many values a long loop produces between two checks: about a millisecond of work.
    public static let checkInterval = 1 << 16
}

extension StopRequest {
    /// Runs `body` with `request` as `StopRequest.current` when it is given, else as it is.
    static func watching<R>(_ request: StopRequest?, _ body: () throws(FactorSenseError) -> R) throws(FactorSenseError) -> R {
        guard let request else { return try body() }
        return try request.watch(body)
    }
}
