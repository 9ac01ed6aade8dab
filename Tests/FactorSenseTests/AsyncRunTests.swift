#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
@testable import FactorSense

/// The `async` overloads: cancelling the task stops a run as a stop request does, within 0.2 s,
/// without making the caller's request; the snapshot stream carries the run's snapshots in order
/// and finishes; the results are those of the blocking calls, bit for bit. Serialized: the timed
/// tests do not share the cores with the suite's other runs.
@Suite(.serialized) struct AsyncRunTests {
    static let demo = try! SensingProblem.gaussian(rows: 20, columns: 15, rank: 2, measurements: 300, seed: 0)

    /// A dense Gaussian problem whose every pass over 𝒜 reads 9·10⁶ entries (~10 ms).
    static let large = try! SensingProblem.gaussian(rows: 60, columns: 50, rank: 3, measurements: 3000, seed: 2)

    /// `StopRequestTests`' options without a stop rule but `maxIterations`, recording no diagnostic.
    static func options(maxIterations: Int, recordEvery: Int) -> GradientDescentOptions {
        var o = StopRequestTests.options(maxIterations: maxIterations, recordEvery: recordEvery)
        o.tolerance = 0
        o.lossTolerance = 0
        o.diagnostics = .chosen([])
        return o
    }

    /// A run with no stop rule before 10⁸ iterations: days of work.
    static let endless = options(maxIterations: 100_000_000, recordEvery: 100_000)

    /// A progress handler that tells `started` about its first call, and the stream that hears it.
    static func startSignal() -> (started: AsyncStream<Void>, progress: GradientDescent.ProgressHandler) {
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        return (started, { _ in
            signal.yield()
            signal.finish()
            return false
        })
    }

    /// Runs `call` in a new task and cancels the task once `started` has heard from the run;
    /// returns the call's value and the time from the cancellation to the call's return. The
    /// task runs on an executor of its own (`QueueExecutor`), so that the time is the call's,
    /// not that of a wait for a thread of the cooperative pool, which blocking tests of other
    /// suites may hold. Should the cancellation not stop the run, the watchdog's request (which
    /// the run also watches) does after 5 s: the test then fails on the time, not running for days.
    static func cancel<R: Sendable>(after started: AsyncStream<Void>, watchdog: StopRequest,
                                    _ call: @escaping @Sendable () async throws -> R) async throws -> (R, Duration) {
        let task = Task(executorPreference: QueueExecutor()) { () async throws -> (R, ContinuousClock.Instant) in
            let value = try await call()
            return (value, ContinuousClock.now)
        }
        for await _ in started { break }
        let timer = Task {
            try await Task.sleep(for: .seconds(5))
            watchdog.request()
        }
        defer { timer.cancel() }
        let cancelled = ContinuousClock.now
        task.cancel()
        let (value, returned) = try await task.value
        return (value, returned - cancelled)
    }

    @Test func cancellingTheTaskInterruptsARunWithin200ms() async throws {
        let (started, progress) = Self.startSignal()
        let stop = StopRequest()
        let (result, latency) = try await Self.cancel(after: started, watchdog: stop) {
            try await GradientDescent.run(Self.large, options: Self.endless, progress: progress, stop: stop)
        }
        print("gradient descent: cancel to return \(latency)")
        #expect(result.stopReason == .interrupted)
        #expect(latency < .milliseconds(200))
        #expect(result.iterations < Self.endless.maxIterations)
        #expect(!stop.isRequested)  // the caller's request is left as it was
    }

    @Test func cancellingTheTaskInterruptsAFlowWithin200ms() async throws {
        let (started, progress) = Self.startSignal()
        let options = { var o = Self.endless; o.initScale = 1e-3; return o }()
        // Steps of order 1 up to t = 10⁹: millions of steps, each six passes over 𝒜.
        let settings = GradientFlow.Settings(times: (0..<100).map { Double($0) * 1e7 }, maxEvaluations: Int.max)
        let stop = StopRequest()
        let (result, latency) = try await Self.cancel(after: started, watchdog: stop) {
            try await GradientFlow.run(Self.large, options: options, settings: settings, progress: progress, stop: stop)
        }
        print("gradient flow: cancel to return \(latency)")
        #expect(result.stopReason == .interrupted)
        #expect(latency < .milliseconds(200))
    }

    @Test func cancellingTheTaskInterruptsEveryTrialOfABatch() async throws {
        let (started, progress) = Self.startSignal()
        let stop = StopRequest()
        let trials = [GradientDescent.Trial(options: Self.endless, progress: progress, stop: stop),
                      GradientDescent.Trial(options: { var o = Self.endless; o.seed = 2; return o }(), stop: stop)]
        let (results, latency) = try await Self.cancel(after: started, watchdog: stop) {
            try await GradientDescent.runBatch(Self.large, trials: trials)
        }
        print("batch: cancel to return \(latency)")
        #expect(results.count == 2)
        for outcome in results {
            switch outcome {
            case .success(let result): #expect(result.stopReason == .interrupted)
            case .failure(let error): #expect(error.kind == .interrupted)  // before its first iterate
            }
        }
        #expect(latency < .milliseconds(200))
    }

    /// More runs than the cooperative pool has threads (one per core) leave the pool free: each
    /// computes on a thread of its own, so another task still runs at once.
    @Test func runsLeaveTheCooperativePoolFree() async throws {
        let count = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1) + 1
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let stop = StopRequest()  // ends the runs whatever happens below, after 20 s at the latest
        defer { stop.request() }
        if let watchdog = DedicatedThread.start({ sleep(20); stop.request() }) { pthread_detach(watchdog) }
        let clock = ContinuousClock()
        let before = clock.now
        let runs = (0..<count).map { _ in
            Task { () async throws -> GradientDescentResult in
                try await GradientDescent.run(Self.demo, options: Self.endless, progress: { _ in
                    signal.yield()
                    return false
                }, stop: stop)
            }
        }
        var seen = 0
        for await _ in started {  // every run has made a progress call: all are computing
            seen += 1
            if seen >= 3 * count { break }
        }
        let answer = await Task { 42 }.value
        let wait = clock.now - before
        print("\(count) runs started and another task ran within \(wait)")
        #expect(answer == 42 && wait < .seconds(5))  // 20 s were the pool held by the runs
        for run in runs { run.cancel() }
        for run in runs { #expect(try await run.value.stopReason == .interrupted) }
    }

    /// A task executor on a serial Dispatch queue: its tasks never wait for the cooperative pool.
    final class QueueExecutor: TaskExecutor {
        let queue = DispatchQueue(label: "AsyncRunTests.QueueExecutor")

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    @Test func theCallersRequestStillStopsAnAsyncRun() async throws {
        let stop = StopRequest()
        let result = try await GradientDescent.run(Self.demo, options: Self.options(maxIterations: 1000, recordEvery: 1),
                                                   progress: { snapshot in
            if snapshot.iteration == 7 { stop.request() }
            return false
        }, stop: stop)
        #expect(result.stopReason == .interrupted && result.iterations == 7)
    }

    @Test func aTaskCancelledBeforeTheRunThrowsInterrupted() async {
        let task = Task { () async throws -> GradientDescentResult in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await GradientDescent.run(Self.demo, options: Self.options(maxIterations: 100, recordEvery: 1))
        }
        await #expect(throws: FactorSenseError(.interrupted,
            "the run was interrupted by a stop request before its first iterate was evaluated")) { try await task.value }
    }

    /// The blocking run of `options` on `problem`, with the snapshots its progress handler saw.
    static func blockingRun(_ problem: SensingProblem, _ options: GradientDescentOptions) throws -> (GradientDescentResult, [Snapshot]) {
        let seen = Mutex<[Snapshot]>([])
        let result = try GradientDescent.run(problem, options: options, progress: { snapshot in
            seen.withLock { $0.append(snapshot) }
            return false
        })
        return (result, seen.withLock { $0 })
    }

    @Test func theSnapshotStreamYieldsTheRunsSnapshotsInOrderAndFinishes() async throws {
        let options = Self.options(maxIterations: 300, recordEvery: 10)
        let (snapshots, sink) = AsyncStream.makeStream(of: Snapshot.self)
        async let run = GradientDescent.run(Self.demo, options: options, snapshots: sink)
        var streamed: [Snapshot] = []
        for await snapshot in snapshots { streamed.append(snapshot) }  // ends: the run finished the stream
        let result = try await run
        let (blocking, seen) = try Self.blockingRun(Self.demo, options)
        #expect(result == blocking)
        let iterations = streamed.map(\.iteration)
        #expect(zip(iterations, iterations.dropFirst()).allSatisfy { $0 < $1 })
        #expect(iterations.last == result.iterations)
        // Every recorded iterate came through the stream, as the blocking run's handler saw it
        // (compared field by field: a snapshot without validation holds NaN, never == itself).
        let recorded = Set(result.history.column("iteration")?.map { Int($0) } ?? [])
        #expect(recorded.count == 31)
        let (ours, theirs) = (streamed.filter { recorded.contains($0.iteration) }, seen.filter { recorded.contains($0.iteration) })
        #expect(ours.map(\.iteration) == theirs.map(\.iteration) && ours.count == 31)
        #expect(ours.map(\.loss) == theirs.map(\.loss))
        #expect(ours.map(\.U) == theirs.map(\.U) && ours.map(\.V) == theirs.map(\.V))
    }

    @Test func theFlowsSnapshotStreamYieldsEveryRowInOrderAndFinishes() async throws {
        var options = Self.options(maxIterations: 1, recordEvery: 1)
        options.initScale = 1e-3
        let settings = GradientFlow.Settings(times: (0...20).map { Double($0) })
        let (snapshots, sink) = AsyncStream.makeStream(of: Snapshot.self)
        async let run = GradientFlow.run(Self.demo, options: options, settings: settings, snapshots: sink)
        var streamed: [Snapshot] = []
        for await snapshot in snapshots { streamed.append(snapshot) }
        let result = try await run
        #expect(result.stopReason == .endTime)
        #expect(streamed.map(\.iteration) == Array(0...20))
        #expect(streamed.map(\.loss) == result.history.column("loss"))
        #expect(streamed.last?.U == result.U)
    }

    @Test func theStreamFinishesWhenTheRunThrows() async {
        var options = Self.options(maxIterations: 10, recordEvery: 1)
        options.width = 0  // refused
        let (snapshots, sink) = AsyncStream.makeStream(of: Snapshot.self)
        async let run = GradientDescent.run(Self.demo, options: options, snapshots: sink)
        var count = 0
        for await _ in snapshots { count += 1 }
        #expect(count == 0)
        do {
            _ = try await run
            Issue.record("width 0 was not refused")
        } catch {
            #expect((error as? FactorSenseError)?.kind == .invalidArgument)
        }
    }

    @Test func theUserTargetGeneratorStops() throws {
        let stop = StopRequest()
        stop.request()
        let target = GroundTruth.dense(try Matrix(rows: 3, columns: 2, elements: [1, 2, 2, 4, 3, 6]))
        #expect(throws: FactorSenseError.self) {
            try SensingProblem.generate(.gaussian, target: target, measurements: 40, seed: 7, stop: stop)
        }
        do {
            _ = try SensingProblem.generate(.gaussian, target: target, measurements: 40, seed: 7, stop: stop)
        } catch {
            #expect(error.kind == .interrupted)
        }
        stop.reset()
        #expect(try SensingProblem.generate(.gaussian, target: target, measurements: 40, seed: 7, stop: stop).rows == 3)
    }
}
