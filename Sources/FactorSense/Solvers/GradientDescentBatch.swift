import Glibc

/// Several trials of gradient descent on one problem — seeds, initial scales, steps, widths —
/// run in lock-step so that, for a dense operator, each pass over 𝐀 serves every trial still
/// running (`SharedDensePass`): 𝐀 is read from memory once per step for all of them instead of
/// once per trial. Each trial stops by its own rules.
///
/// Every trial's result is bit for bit the result of `GradientDescent.run` with its options
/// alone: the shared pass makes the same BLAS calls on the same blocks for each trial. Other
/// operators have nothing to share; their trials run side by side on threads.
extension GradientDescent {
    /// One trial of a batch: its options, and optionally its own validation set, progress
    /// handler and stop request (else the batch's).
    public struct Trial: Sendable {
        public var options: GradientDescentOptions
        public var validation: SensingProblem?
        public var progress: ProgressHandler?
        public var stop: StopRequest?

        public init(options: GradientDescentOptions, validation: SensingProblem? = nil,
                    progress: ProgressHandler? = nil, stop: StopRequest? = nil) {
            self.options = options
            self.validation = validation
            self.progress = progress
            self.stop = stop
        }
    }

    /// The most trials one batch runs (each has a thread of its own).
    public static let maxBatchTrials = 1024

    /// Runs `options.count` trials on `problem`, trial i with `options[i]`; `stop` (or the
    /// current request) stops them all. Returns each trial's result or the error it was
    /// refused with, in order.
    ///
    /// - Throws: `.invalidArgument` for an empty batch or one of more than `maxBatchTrials`; `.overflow` or `.outOfMemory` when the
    ///   trials together would hold more at their peak than the process can still allocate.
    public static func runBatch(_ problem: SensingProblem, options: [GradientDescentOptions],
                                stop: StopRequest? = nil) throws(FactorSenseError) -> [Result<GradientDescentResult, FactorSenseError>] {
        let request = stop ?? StopRequest.current
        return try runBatch(problem, trials: options.map { Trial(options: $0, stop: request) })
    }

    /// Runs every trial of `trials` on `problem` (see `runBatch(_:options:stop:)`).
    public static func runBatch(_ problem: SensingProblem, trials: [Trial]) throws(FactorSenseError) -> [Result<GradientDescentResult, FactorSenseError>] {
        guard !trials.isEmpty, trials.count <= maxBatchTrials else {
            throw FactorSenseError(.invalidArgument, "a batch runs 1 to \(maxBatchTrials) trials, got \(trials.count)")
        }
        try MemoryBudget.require(try batchPeak(problem, trials), for: "a batch of \(trials.count) trials on the \(problem.rows) × \(problem.columns) problem")
        let shared = (problem.sensingOperator as? DenseOperator).map { SharedDensePass($0, trials: trials.count) }
        var results = [Result<GradientDescentResult, FactorSenseError>](repeating: .failure(FactorSenseError(.internal, "the trial did not run")),
                                                                        count: trials.count)
        results.withUnsafeMutableBufferPointer { slots in
            let slotsBase = UnsafeSendablePointer(slots.baseAddress)
            let unstarted = runOnThreads(trials.count, notStarted: { _ in shared?.leave() }) { i in
                defer { shared?.leave() }
                slotsBase.value?[i] = runTrial(problem, trials[i], index: i, shared: shared)
            }
            for i in unstarted { slotsBase.value?[i] = runTrial(problem, trials[i], index: i, shared: nil) }
        }
        return results
    }

    /// Trial i on `problem`, its dense passes shared when `shared` is given.
    private static func runTrial(_ problem: SensingProblem, _ trial: Trial, index: Int,
                                 shared: SharedDensePass?) -> Result<GradientDescentResult, FactorSenseError> {
        do throws(FactorSenseError) {
            var own = problem
            if let shared, let dense = problem.sensingOperator as? DenseOperator {
                own = try SensingProblem(operator: SharedDenseOperator(dense: dense, pass: shared, trial: index),
                                         measurements: problem.measurements, groundTruth: problem.groundTruth,
                                         parameterization: problem.parameterization)
            }
            return .success(try run(own, options: trial.options, validation: trial.validation, progress: trial.progress, stop: trial.stop))
        } catch {
            return .failure(error)
        }
    }

    /// What the trials hold together at their peak: each trial's own (`PeakMemory.run`; a trial
    /// whose options are refused is left to report it) plus, for a dense operator, the shared
    /// pass's copies of x_t and y_t, its residuals and its chunk partial sums.
    private static func batchPeak(_ problem: SensingProblem, _ trials: [Trial]) throws(FactorSenseError) -> [PeakMemory.Need] {
        var ledger = PeakMemory.Ledger()
        for trial in trials {
            guard (try? trial.options.validate()) != nil, let k = try? InitialFactors.width(trial.options, for: problem) else { continue }
            ledger.append(try PeakMemory.run(problem, options: trial.options, width: k, validation: trial.validation))
        }
        if problem.sensingOperator is DenseOperator {
            let (n, m) = (problem.rows * problem.columns, problem.measurementCount)
            try ledger.doubles("the shared pass's x_t and chunk partial sums (trials · (chunks + 2) · n1 · n2)",
                               trials.count, FixedChunks.count + 2, n)
            try ledger.doubles("the shared pass's y_t and residuals (trials · 3m)", trials.count, 3, m)
        }
        return ledger.needs
    }

    /// Runs `body(i)` for i in 0..<count, each on its own thread (the calling thread takes
    /// i = 0), and returns when all have. For a thread that cannot be started it calls
    /// `notStarted(i)` before any body runs, and returns those i for the caller to run.
    private static func runOnThreads(_ count: Int, notStarted: (Int) -> Void, _ body: @escaping @Sendable (Int) -> Void) -> [Int] {
        var threads: [pthread_t] = []
        var unstarted: [Int] = []
        for i in 1..<max(count, 1) {
            if let thread = DedicatedThread.start({ body(i) }) {
                threads.append(thread)
            } else {
                unstarted.append(i)
            }
        }
        // Unstarted trials leave the shared pass before anyone waits for them.
        for i in unstarted { notStarted(i) }
        if count > 0 { body(0) }
        for thread in threads { pthread_join(thread, nil) }
        return unstarted
    }
}

/// A pointer the trials' threads write their own slots through (each a different slot).
private struct UnsafeSendablePointer<T>: @unchecked Sendable {
    let value: UnsafeMutablePointer<T>?
    init(_ value: UnsafeMutablePointer<T>?) { self.value = value }
}
