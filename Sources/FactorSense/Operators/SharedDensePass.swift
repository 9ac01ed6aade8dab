import Glibc

/// The meeting point of the trials of a batch on one dense operator (`GradientDescent.runBatch`):
/// every trial still running hands in its x_t = vec(U_t V_tᵀ) and y_t, and when the last of them
/// has, one thread makes a single pass over 𝐀 for all of them
/// (`DenseKernels.residualsAndAdjoints`) and hands each its ρ_t and 𝐀ᵀρ_t. A trial that stops
/// leaves, and the others go on without waiting for it.
///
/// Each trial's values are bit for bit those of its own pass: sharing changes how often 𝐀 is
/// read from memory, not what is computed.
final class SharedDensePass: SharedPass, @unchecked Sendable {
    private let dense: DenseOperator
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Trials that have not left.
    private var active: Int
    /// The requests of the pass being gathered, by trial.
    private var requests: [Int: (x: [Double], y: [Double])] = [:]
    /// The answers of finished passes, by trial, until the trial takes its own.
    private var answers: [Int: (residual: [Double], adjoint: [Double])] = [:]
    /// Whether a thread is making a pass.
    private var passing = false

    init(_ dense: DenseOperator, trials: Int) {
        self.dense = dense
        self.active = trials
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// The operator trial `trial` runs on: the dense operator with its full passes shared.
    func view(trial: Int) -> any MeasurementOperator { SharedDenseOperator(dense: dense, pass: self, trial: trial) }

    /// ρ = 𝐀x − y and 𝐀ᵀρ for `trial`, in the next pass shared with every other trial still running.
    func residualAndAdjoint(trial: Int, x: [Double], y: [Double]) -> (residual: [Double], adjoint: [Double]) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        requests[trial] = (x, y)
        passIfReady()
        while answers[trial] == nil { pthread_cond_wait(condition, mutex) }
        return answers.removeValue(forKey: trial) ?? ([], [])
    }

    /// `trial` runs no more: the passes go on without it.
    func leave() {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        active -= 1
        passIfReady()
    }

    /// With the lock held: when every active trial has handed in its request and no pass is
    /// under way, makes the pass (releasing the lock meanwhile) and wakes the waiting trials.
    private func passIfReady() {
        guard !passing, !requests.isEmpty, requests.count == active else { return }
        passing = true
        let gathered = requests.sorted { $0.key < $1.key }
        requests = [:]
        pthread_mutex_unlock(mutex)
        // Not abandoned for a stop request: each trial has its own, checked after the pass.
        let (residuals, adjoints) = StopRequest.$current.withValue(nil) {
            DenseKernels.residualsAndAdjoints(dense.entries, rows: dense.measurementCount, columns: dense.rows * dense.columns,
                                              gathered.map(\.value))
        }
        pthread_mutex_lock(mutex)
        for (index, request) in gathered.enumerated() { answers[request.key] = (residuals[index], adjoints[index]) }
        passing = false
        pthread_cond_broadcast(condition)
    }
}

/// A dense operator whose full gradient passes go through a `SharedDensePass`; everything else
/// (mini-batches, diagnostics, 𝒜(X) alone) is the dense operator's own.
struct SharedDenseOperator: MeasurementOperator {
    let dense: DenseOperator
    let pass: SharedDensePass
    let trial: Int

    var measurementCount: Int { dense.measurementCount }
    var rows: Int { dense.rows }
    var columns: Int { dense.columns }

    func apply(_ x: Matrix) -> [Double] { dense.apply(x) }
    func apply(product U: Matrix, _ V: Matrix) -> [Double] { dense.apply(product: U, V) }
    func adjoint(_ residual: [Double]) -> Matrix { dense.adjoint(residual) }
    func restricted(to indices: [Int]) -> any MeasurementOperator { dense.restricted(to: indices) }
    var isSymmetric: Bool { dense.isSymmetric }
    var kindName: String { dense.kindName }
    var denseEntries: DenseEntries? { dense.denseEntries }
    func restrictionNeeds(measurements count: Int) throws(FactorSenseError) -> [MemoryBudget.Need] { try dense.restrictionNeeds(measurements: count) }
    func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need] { try dense.passNeeds(measurements: count, width: k) }
    func applyNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] { try dense.applyNeeds() }
    func adjointNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] { try dense.adjointNeeds() }

    /// `DenseOperator.residualAndGradient` with its pass over 𝐀 shared.
    func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let x = BLAS.product(U, V, transposeB: true)
        let (residual, adjoint) = pass.residualAndAdjoint(trial: trial, x: x.elements, y: y)
        return dense.factorGradient(residual: residual, adjoint: adjoint, U: U, V: V)
    }
}

extension DenseOperator: PassSharing {
    func sharedPass(trials: Int) -> any SharedPass { SharedDensePass(self, trials: trials) }

    /// The pass's copies of x_t and y_t, its residuals and its chunk partial sums.
    func sharedPassNeeds(trials: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("the shared pass's x_t and chunk partial sums (trials at once · (chunks + 2) · n1 · n2)",
                           trials, FixedChunks.count + 2, rows * columns)
        try ledger.doubles("the shared pass's y_t and residuals (trials at once · 3m)", trials, 3, measurementCount)
        return ledger.needs
    }
}
