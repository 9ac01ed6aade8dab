/// What each call that allocates in proportion to a caller's sizes holds at its peak: every
/// buffer that is alive at the same time, temporaries included, itemized for
/// `MemoryBudget.require`. The counts follow the code they describe (n1 × n2 matrices, m-vectors,
/// factor-sized matrices, the dense kernels' per-chunk partial sums, the sampler's hash set…);
/// where the exact peak depends on the allocator or on how far a run gets, the count is the
/// bound. Each list is checked before the call allocates anything large.
public enum PeakMemory {
    public typealias Need = MemoryBudget.Need

    /// Needs built up with overflow-checked products.
    struct Ledger {
        var needs: [Need] = []

        /// The product of `factors` doubles.
        mutating func doubles(_ what: String, _ factors: Int...) throws(FactorSenseError) {
            needs.append(try MemoryBudget.doubles(product(factors, what), what))
        }

        /// The product of `factors` Swift Ints.
        mutating func indices(_ what: String, _ factors: Int...) throws(FactorSenseError) {
            needs.append(try MemoryBudget.indices(product(factors, what), what))
        }

        mutating func append(_ more: [Need]) { needs += more }

        private func product(_ factors: [Int], _ what: String) throws(FactorSenseError) -> Int {
            var result = 1
            for factor in factors { result = try SizeLimits.product(result, max(factor, 0), "the size of \(what)") }
            return result
        }
    }

    /// a + b + …, saturating at Int.max (which then overflows a product and is refused).
    static func plus(_ terms: Int...) -> Int {
        var sum = 0
        for term in terms {
            let (next, overflow) = sum.addingReportingOverflow(max(term, 0))
            if overflow { return Int.max }
            sum = next
        }
        return sum
    }

    // ---------------------------------------------------------------- problems

    /// `SensingProblem.generate`, the larger of its two phases: drawing the operator (what it
    /// keeps and its construction's temporaries), then measuring the target (the operator, the
    /// target's factors and their QR, the product 𝒜(X⋆)'s temporaries, and y).
    /// In `precision` `.single` the double operator and its rounded copy are held together.
    public static func generation(_ kind: OperatorKind, target: TargetSpecification, measurements m: Int,
                                  precision: DenseEntries.Precision = .double) throws(FactorSenseError) -> [Need] {
        let (n1, n2, r) = (target.rows, target.columns, target.rank)
        let count = kind == .identity ? try SizeLimits.product(n1, n2, "n1 · n2") : m
        var drawing = Ledger()
        var measuring = Ledger()
        switch kind {
        case .gaussian, .symmetricGaussian:
            try measuring.doubles("the Gaussian operator (m · n1 · n2)", count, n1, n2)
            if precision == .single {
                try drawing.doubles("the Gaussian operator drawn in double precision (m · n1 · n2)", count, n1, n2)
                try drawing.doubles("its single-precision copy (m · n1 · n2 floats)", count, SizeLimits.product(n1, n2, "n1 · n2") / 2 + 1)
            }
            try measuring.doubles("X⋆ formed to measure it (n1 · n2)", n1, n2)
            try measuring.doubles("y (m)", count)
        case .identity:
            try measuring.doubles("X⋆, which becomes y (n1 · n2)", n1, n2)
        case .completion:
            drawing.append(try completionSampling(cells: SizeLimits.product(n1, n2, "n1 · n2"), measurements: count))
            try measuring.indices("the row and column indices (2 m)", 2, count)
            try measuring.doubles("y (m)", count)
        case .rankOne:
            try measuring.doubles("the vectors a_i (m · n1)", count, n1)
            try measuring.doubles("the vectors b_i (m · n2), drawn apart from a_i also when symmetric", count, n2)
            try measuring.doubles(target.positiveSemidefinite ? "the products 𝐀L, 𝐁R, 𝐁L, 𝐀R (4 m · rank)" : "the products 𝐀L, 𝐁R (2 m · rank)",
                                  target.positiveSemidefinite ? 4 : 2, count, r)
            try measuring.doubles("y and its row sums (2 m)", 2, count)
        }
        try measuring.doubles("the target's factors and their QR (3 (n1 + n2) · rank)", 3, plus(n1, n2), r)
        return try MemoryBudget.total(drawing.needs) > MemoryBudget.total(measuring.needs) ? drawing.needs : measuring.needs
    }

    /// `SensingProblem.splitHoldout`: the keys, their order and the two index lists (4 m), and
    /// the two parts, which together hold the operator and the measurements once more.
    public static func holdout(_ problem: SensingProblem) throws(FactorSenseError) -> [Need] {
        let m = problem.measurementCount
        var ledger = Ledger()
        try ledger.indices("the keys, their order, the flags and the two index lists (4 m)", 4, m)
        ledger.append(try problem.sensingOperator.restrictionNeeds(measurements: m).map { Need("the two parts' " + $0.what, bytes: $0.bytes) })
        try ledger.doubles("the two parts' measurements (m)", m)
        return ledger.needs
    }

    /// `EntrySamplingOperator.uniform`: the hash set of the drawn cells (of m, or of the
    /// n1·n2 − m cells left out when m > n1·n2/2: a power-of-two table at most 3/4 full), the
    /// list of chosen cells (sorted, or filtered with growth to 2m), and the row and column
    /// indices.
    public static func completionSampling(cells: Int, measurements m: Int) throws(FactorSenseError) -> [Need] {
        let complement = m > cells / 2
        let drawn = complement ? cells - m : m
        var buckets = 1
        while buckets < plus(drawn, drawn / 3, 1) { buckets = try SizeLimits.product(buckets, 2, "the sampler's hash table") }
        var ledger = Ledger()
        try ledger.indices("the sampler's hash set of \(drawn) cells", plus(buckets, buckets / 64, 8))
        try ledger.indices("the chosen cells and their growth or sort buffer (2 m)", 2, m)
        try ledger.indices("the row and column indices (2 m)", 2, m)
        return ledger.needs
    }

    /// `fs_problem_set_dense` / `SensingProblem.fromDense`: the copies of the operator, y and the truth.
    public static func denseProblem(measurements m: Int, rows n1: Int, columns n2: Int, truth: Bool) throws(FactorSenseError) -> [Need] {
        var ledger = Ledger()
        try ledger.doubles("the operator matrix (m · n1 · n2)", m, n1, n2)
        try ledger.doubles("y (m)", m)
        if truth { try ledger.doubles("the truth (n1 · n2)", n1, n2) }
        return ledger.needs
    }

    /// `fs_problem_set_entries`: the row and column indices, the values, the sort that finds
    /// repeated positions (m indices and a merge buffer of m/2), and the truth.
    public static func entriesProblem(count m: Int, rows n1: Int, columns n2: Int, truth: Bool) throws(FactorSenseError) -> [Need] {
        var ledger = Ledger()
        try ledger.indices("the row and column indices (2 m)", 2, m)
        try ledger.doubles("the values (m)", m)
        try ledger.indices("the sorted order and its merge buffer (1.5 m)", plus(m, m / 2))
        if truth { try ledger.doubles("the truth (n1 · n2)", n1, n2) }
        return ledger.needs
    }

    /// `fs_options_set_initial_factors`: the copies of U₀ and V₀.
    public static func initialFactors(rows n1: Int, columns n2: Int, width k: Int) throws(FactorSenseError) -> [Need] {
        var ledger = Ledger()
        try ledger.doubles("U₀ and V₀ ((n1 + n2) · width)", plus(n1, n2), k)
        return ledger.needs
    }

    // ---------------------------------------------------------------- operators

    /// One pass of `residualAndGradient` (and the objective around it) over `m` measurements of
    /// an operator of `sensingOperator`'s kind at width k: its temporaries, the residual, and the
    /// two gradients.
    public static func evaluation(of sensingOperator: any MeasurementOperator, measurements m: Int, width k: Int) throws(FactorSenseError) -> [Need] {
        let (n1, n2) = (sensingOperator.rows, sensingOperator.columns)
        var ledger = Ledger()
        ledger.append(try sensingOperator.passNeeds(measurements: m, width: k))
        try ledger.doubles("the residual (m)", m)
        try ledger.doubles("the gradients and their symmetrized copy (2 (n1 + n2) · width)", 2, plus(n1, n2), k)
        return ledger.needs
    }

    /// `fs_problem_apply`: the copy of X, the output and the operator's temporaries.
    public static func apply(of sensingOperator: any MeasurementOperator) throws(FactorSenseError) -> [Need] {
        let (n1, n2, m) = (sensingOperator.rows, sensingOperator.columns, sensingOperator.measurementCount)
        var ledger = Ledger()
        try ledger.doubles("X (n1 · n2)", n1, n2)
        try ledger.doubles("𝒜(X) and its temporaries (2 m)", 2, m)
        ledger.append(try sensingOperator.applyNeeds())
        return ledger.needs
    }

    /// `fs_problem_adjoint`: the copy of ρ, the output and the operator's temporaries.
    public static func adjoint(of sensingOperator: any MeasurementOperator) throws(FactorSenseError) -> [Need] {
        let (n1, n2, m) = (sensingOperator.rows, sensingOperator.columns, sensingOperator.measurementCount)
        var ledger = Ledger()
        try ledger.doubles("ρ and its scaled copy (2 m)", 2, m)
        try ledger.doubles("𝒜*(ρ), its sum and the zeroed matrix (3 n1 · n2)", 3, n1, n2)
        ledger.append(try sensingOperator.adjointNeeds())
        return ledger.needs
    }

    /// `fs_problem_loss_and_gradient`: the copies of U and V and one evaluation.
    public static func lossAndGradient(of sensingOperator: any MeasurementOperator, width k: Int) throws(FactorSenseError) -> [Need] {
        var ledger = Ledger()
        try ledger.doubles("U and V ((n1 + n2) · width)", plus(sensingOperator.rows, sensingOperator.columns), k)
        ledger.append(try evaluation(of: sensingOperator, measurements: sensingOperator.measurementCount, width: k))
        return ledger.needs
    }

    // ---------------------------------------------------------------- runs

    /// `GradientDescent.run` once its initial factors exist: the factor-sized matrices a step
    /// holds (the iterate, the one before it, the last one whose loss was verified finite, the
    /// gradients and ScaledGD's directions, the start factors), one full evaluation, the
    /// mini-batch sampler with one batch's operator and evaluation and the run's checkpoints
    /// (`GradientDescent`'s step back), the test error's workspace,
    /// the history (max_iter / record_every + 2 rows of at most every column's values, twice over for the growth of
    /// its arrays) and the loss ring of the relative-change rule.
    public static func run(_ problem: SensingProblem, options: GradientDescentOptions, width k: Int,
                           validation: SensingProblem? = nil) throws(FactorSenseError) -> [Need] {
        let op = problem.sensingOperator
        let (n1, n2, m) = (problem.rows, problem.columns, problem.measurementCount)
        var ledger = Ledger()
        if let validation {
            try ledger.indices("the sorted training positions of the overlap check (m)", m)
            try ledger.doubles("the best recorded iterate's factors ((n1 + n2) · width)", plus(n1, n2), k)
            ledger.append(try evaluation(of: validation.sensingOperator, measurements: validation.measurementCount, width: k)
                .map { Need("the validation pass's " + $0.what, bytes: $0.bytes) })
        }
        if options.stepRule == .auto {
            try ledger.doubles("the line search's saved factors and the step-size estimate's probes (4 (n1 + n2) · width)",
                               4, plus(n1, n2), k)
            ledger.append(try evaluation(of: op, measurements: m, width: k).map { Need("the trial step's " + $0.what, bytes: $0.bytes) })
        }
        try ledger.doubles("the iterates, their copies and the step directions (6 (n1 + n2) · width)", 6, plus(n1, n2), k)
        ledger.append(try evaluation(of: op, measurements: m, width: k))
        if options.batchSize > 0 && options.batchSize < m {
            let b = options.batchSize
            try ledger.indices("the mini-batch sampler's permutation (m)", m)
            let levels = Int.bitWidth - max(options.maxIterations, 1).leadingZeroBitCount + 1
            try ledger.doubles("the checkpoints of a mini-batch run (log₂(max_iter) + 2 = \(levels) copies of the factors)",
                               levels, plus(n1, n2), k)
            try ledger.indices("a batch's indices and measurements (3 b)", 3, b)
            ledger.append(try op.restrictionNeeds(measurements: b).map { Need("a batch's " + $0.what, bytes: $0.bytes) })
            ledger.append(try evaluation(of: op, measurements: b, width: k).map { Need("a batch's " + $0.what, bytes: $0.bytes) })
        }
        switch problem.groundTruth {
        case .dense?: try ledger.doubles("the test error's difference X − X⋆ (n1 · n2)", n1, n2)
        case .factored(let left, _)?:
            try ledger.doubles("the test error's stacked factors and their QR (4 (n1 + n2) · (width + rank))",
                               4, plus(n1, n2), plus(k, left.columns))
        case nil: break
        }
        let rows = min(options.maxIterations / max(options.recordEvery, 1), Int.max / 64) + 2
        let perRow = History.allNames.count + min(n1, n2, k)  // every column, the singular values c ≤ min(n1, n2, k) wide
        try ledger.doubles("the history (2 · \(rows) rows · at most \(perRow) values)", 2, rows, perRow)
        if options.tolerance > 0 {
            try ledger.doubles("the loss window of the tol rule (min(window, max_iter))", ringLength(options))
        }
        return ledger.needs
    }

    /// The slots of the loss ring: w = min(window, max_iter), f_t in slot t mod w (which held
    /// f_{t−w}); one slot when the relative-change rule is off.
    public static func ringLength(_ options: GradientDescentOptions) -> Int {
        guard options.tolerance > 0 else { return 1 }
        return max(min(options.window, options.maxIterations), 1)
    }
}
