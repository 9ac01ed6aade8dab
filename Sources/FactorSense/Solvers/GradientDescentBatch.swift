import Glibc

/// Several trials of gradient descent on one problem — seeds, initial scales, steps, widths —
/// run in groups of at most `concurrentTrials`, one group after another; the trials of a group
/// run side by side, each on a thread, in lock-step so that, for a dense operator, each pass
/// over 𝐀 serves every trial of the group still running (`SharedDensePass`): 𝐀 is read from
/// memory once per step for all of them instead of once per trial. Each trial stops by its own
/// rules. A batch of any size thus uses a bounded number of threads (`concurrentTrials` − 1 of
/// its own besides the caller's), whose stacks are counted with its memory.
///
/// Every trial's result is bit for bit the result of `GradientDescent.run` with its options
/// alone, whatever the group it falls in and the number of cores: the shared pass makes the same
/// BLAS calls on the same blocks for each trial. Other operators have nothing to share; their
/// trials run side by side on the group's threads.
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

    /// The most trials one batch runs.
    public static let maxBatchTrials = 1024

    /// The most trials of a batch that run at once, each on a thread (the caller's and
    /// `concurrentTrials` − 1 new ones): the number of cores, and at least 8, so that a dense
    /// pass serves 8 trials even on a small machine.
    public static var concurrentTrials: Int { max(ProcessInfoLite.activeProcessorCount, 8) }

    /// The address space a new thread of a batch reserves: its stack (8 MB, glibc's default)
    /// and a malloc arena (64 MB).
    static let threadReserve = 72 << 20

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
        var results = [Result<GradientDescentResult, FactorSenseError>](repeating: .failure(FactorSenseError(.internal, "the trial did not run")),
                                                                        count: trials.count)
        results.withUnsafeMutableBufferPointer { slots in
            let slotsBase = UnsafeSendablePointer(slots.baseAddress)
            for start in stride(from: 0, to: trials.count, by: concurrentTrials) {
                runGroup(problem, trials, start..<min(start + concurrentTrials, trials.count), into: slotsBase)
            }
        }
        return results
    }

    /// Runs the trials of `group` side by side (in lock-step on a shared pass for an operator of
    /// `PassSharing`, the dense one), each result into its slot. A trial whose thread cannot be
    /// started runs on the calling thread once the others are done, alone.
    private static func runGroup(_ problem: SensingProblem, _ trials: [Trial], _ group: Range<Int>,
                                 into slots: UnsafeSendablePointer<Result<GradientDescentResult, FactorSenseError>>) {
        let shared = (problem.sensingOperator as? any PassSharing)?.sharedPass(trials: group.count)
        let unstarted = runOnThreads(group.count, notStarted: { _ in shared?.leave() }) { j in
            defer { shared?.leave() }
            slots.value?[group.lowerBound + j] = runTrial(problem, trials[group.lowerBound + j], index: j, shared: shared)
        }
        for j in unstarted { slots.value?[group.lowerBound + j] = runTrial(problem, trials[group.lowerBound + j], index: j, shared: nil) }
    }

    /// Trial i on `problem`, its full passes shared when `shared` is given (the problem's cache kept).
    private static func runTrial(_ problem: SensingProblem, _ trial: Trial, index: Int,
                                 shared: (any SharedPass)?) -> Result<GradientDescentResult, FactorSenseError> {
        do throws(FactorSenseError) {
            let own = shared.map { SensingProblem(problem, measuredBy: $0.view(trial: index)) } ?? problem
            return .success(try run(own, options: trial.options, validation: trial.validation, progress: trial.progress, stop: trial.stop))
        } catch {
            return .failure(error)
        }
    }

    /// What the trials hold together at their peak: each trial's own (`PeakMemory.run`, counted
    /// for every trial, as the results of finished groups are kept; a trial whose options are
    /// refused is left to report it), the address space of the group's new threads beyond
    /// `MemoryBudget.addressSpaceReserve`'s (`threadReserve` each) plus, for an operator of
    /// `PassSharing`, what its shared pass holds for one group (`sharedPassNeeds`).
    private static func batchPeak(_ problem: SensingProblem, _ trials: [Trial]) throws(FactorSenseError) -> [PeakMemory.Need] {
        var ledger = PeakMemory.Ledger()
        for trial in trials {
            guard (try? trial.options.validate()) != nil, let k = try? InitialFactors.width(trial.options, for: problem) else { continue }
            ledger.append(try PeakMemory.run(problem, options: trial.options, width: k, validation: trial.validation))
        }
        let group = min(trials.count, concurrentTrials)
        let extraThreads = max(group - 1 - MemoryBudget.reservedThreads, 0)
        if extraThreads > 0 {
            ledger.append([MemoryBudget.Need("the stacks and malloc arenas of \(extraThreads) more trial threads (72 MB each)",
                                             bytes: extraThreads * threadReserve)])
        }
        if let sharing = problem.sensingOperator as? any PassSharing {
            ledger.append(try sharing.sharedPassNeeds(trials: group))
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
