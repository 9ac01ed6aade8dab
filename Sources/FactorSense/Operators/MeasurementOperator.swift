/// A linear measurement operator 𝒜 : ℝ^{n1×n2} → ℝ^m, (𝒜X)_i = ⟨A_i, X⟩, with its adjoint
/// 𝒜*(ρ) = Σ_i ρ_i A_i (docs/mathematics.md, "Measurements and operators").
///
/// The solvers call only `residualAndGradient(U:V:measurements:)`, the hot path, which an
/// operator may specialise (a fused kernel, or one that never forms an n1 × n2 matrix); its
/// default goes through `apply` and `adjoint`.
///
/// The requirements are the unchecked primitives of the hot path: they do not throw. The
/// built-in operators never trap on a caller's arguments: an argument of the wrong shape
/// (X not n1 × n2, ρ or y not of length m, U and V not n1 × k and n2 × k, an index outside
/// 0..<m) gives NaN values of the result's shape (an operator with no measurements for
/// `restricted(to:)`). For errors that say what was wrong, call the checked forms
/// `SensingProblem.apply(_:)`, `adjoint(_:)` and `lossAndGradient(U:V:)`.
public protocol MeasurementOperator: Sendable {
    /// m, the number of measurements.
    var measurementCount: Int { get }
    /// n1, the rows of the matrices measured.
    var rows: Int { get }
    /// n2, the columns of the matrices measured.
    var columns: Int { get }

    /// 𝒜(X), m values.
    func apply(_ x: Matrix) -> [Double]
    /// 𝒜(UVᵀ) for factors U (n1 × k) and V (n2 × k); operators that can avoid forming UVᵀ do.
    func apply(product U: Matrix, _ V: Matrix) -> [Double]
    /// 𝒜*(ρ) = Σ_i ρ_i A_i, an n1 × n2 matrix.
    func adjoint(_ residual: [Double]) -> Matrix
    /// ρ = 𝒜(UVᵀ) − y and the factor gradients G V and Gᵀ U with G = 𝒜*(ρ).
    func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient
    /// The operator of the measurements at `indices` only, in that order (mini-batches).
    func restricted(to indices: [Int]) -> any MeasurementOperator
    /// Whether every A_i is symmetric (the symmetric Gaussian and symmetric rank-one operators):
    /// then 𝒜(X) = 𝒜(sym(X)) cannot see the antisymmetric part of X, and a problem of the operator
    /// takes only a symmetric ground truth (`SensingProblem.init`). False by default.
    var isSymmetric: Bool { get }

    // What the operator says of itself, so that code about operators in general (the memory
    // count, the C layer) never asks which concrete type it is.

    /// The kind's name in the C and Python layers: "dense", "identity", "entries", "rank_one"
    /// ("other" by default).
    var kindName: String { get }
    /// The stored dense matrix 𝐀, when the operator is one (nil by default).
    var denseEntries: DenseEntries? { get }
    /// Which entries of X the measurements read one by one (`ObservedCells`; `.mixed` by default).
    var observedCells: ObservedCells { get }
    /// 𝐀 (m × n1, rows a_i), 𝐁 (m × n2, rows b_i) and c of rank-one measurements
    /// c·a_iᵀXb_i (c·a_iᵀ sym(X) b_i when symmetric), when the operator is made of them (nil by default).
    var rankOneProjections: (left: Matrix, right: Matrix, scale: Double)? { get }
    /// What `restricted(to:)` of `count` measurements holds (by default `count` positions).
    func restrictionNeeds(measurements count: Int) throws(FactorSenseError) -> [MemoryBudget.Need]
    /// The temporaries one `residualAndGradient` pass over `count` measurements holds at width
    /// k, beside the residual and the gradients (by default UVᵀ and 𝒜*(ρ)).
    func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need]
    /// The temporaries of `apply` beside X and the output (none by default).
    func applyNeeds() throws(FactorSenseError) -> [MemoryBudget.Need]
    /// The temporaries of `adjoint` beside ρ, the output and its sum (none by default).
    func adjointNeeds() throws(FactorSenseError) -> [MemoryBudget.Need]
}

/// What one pass over the operator gives at factors (U, V): the residual ρ = 𝒜(UVᵀ) − y and
/// the products G V (n1 × k) and Gᵀ U (n2 × k) with G = 𝒜*(ρ), which are ∇_U f and ∇_V f of
/// f(U, V) = ½‖𝒜(UVᵀ) − y‖².
public struct FactorGradient: Sendable {
    /// ρ = 𝒜(UVᵀ) − y.
    public var residual: [Double]
    /// ∇_U f = 𝒜*(ρ) V.
    public var gradientU: Matrix
    /// ∇_V f = 𝒜*(ρ)ᵀ U.
    public var gradientV: Matrix

    /// f = ½‖ρ‖².
    public var loss: Double {
        let norm = BLAS.norm(residual)
        return 0.5 * norm * norm
    }
}

extension MeasurementOperator {
    /// Not symmetric, unless the operator says so.
    public var isSymmetric: Bool { false }

    public var kindName: String { "other" }

    public var denseEntries: DenseEntries? { nil }

    public var observedCells: ObservedCells { .mixed }

    public var rankOneProjections: (left: Matrix, right: Matrix, scale: Double)? { nil }

    public func restrictionNeeds(measurements count: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.indices("positions (2 · \(count))", 2, count)
        return ledger.needs
    }

    public func passNeeds(measurements count: Int, width k: Int) throws(FactorSenseError) -> [MemoryBudget.Need] {
        var ledger = PeakMemory.Ledger()
        try ledger.doubles("UVᵀ and 𝒜*(ρ) (2 n1 · n2)", 2, rows, columns)
        return ledger.needs
    }

    public func applyNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] { [] }

    public func adjointNeeds() throws(FactorSenseError) -> [MemoryBudget.Need] { [] }

    /// 𝒜(UVᵀ) through the dense product.
    public func apply(product U: Matrix, _ V: Matrix) -> [Double] {
        guard fits(U: U, V: V) else { return notMeasurable() }
        return apply(BLAS.product(U, V, transposeB: true))
    }

    /// The default pass: X = UVᵀ, ρ = 𝒜(X) − y, G = 𝒜*(ρ), then G V and Gᵀ U.
    public func residualAndGradient(U: Matrix, V: Matrix, measurements y: [Double]) -> FactorGradient {
        guard fits(U: U, V: V), y.count == measurementCount else { return notDifferentiable(U: U, V: V) }
        let x = BLAS.product(U, V, transposeB: true)
        var residual = apply(x)
        BLAS.axpy(-1, y, &residual)
        let g = adjoint(residual)
        return FactorGradient(
            residual: residual,
            gradientU: BLAS.product(g, V),
            gradientV: BLAS.product(g, transposeA: true, U))
    }
}

extension MeasurementOperator {
    /// Whether X is n1 × n2.
    public func fits(_ x: Matrix) -> Bool { x.rows == rows && x.columns == columns }

    /// Whether U is n1 × k and V is n2 × k for one k.
    public func fits(U: Matrix, V: Matrix) -> Bool { U.rows == rows && V.rows == columns && U.columns == V.columns }

    /// Whether every index is in 0..<m.
    public func validIndices(_ indices: [Int]) -> Bool { indices.allSatisfy { $0 >= 0 && $0 < measurementCount } }

    /// m NaNs: 𝒜 of an argument of the wrong shape.
    func notMeasurable() -> [Double] { [Double](repeating: .nan, count: measurementCount) }

    /// An n1 × n2 matrix of NaNs: 𝒜* of a residual of the wrong length.
    func notAdjointable() -> Matrix { Matrix(rows: rows, columns: columns, repeating: .nan) }

    /// NaN residual and gradients (of the given factors' shapes) for arguments of the wrong shapes.
    func notDifferentiable(U: Matrix, V: Matrix) -> FactorGradient {
        FactorGradient(residual: notMeasurable(),
                       gradientU: Matrix(rows: U.rows, columns: U.columns, repeating: .nan),
                       gradientV: Matrix(rows: V.rows, columns: V.columns, repeating: .nan))
    }
}

/// The entries of X an operator's measurements read one by one: what a held-out validation set
/// must not share with the training measurements, and what the C layer copies out of a
/// completion problem.
public enum ObservedCells: Sendable, Equatable {
    /// Every measurement mixes many entries of X (Gaussian, rank-one): none is observed alone.
    case mixed
    /// Every entry once, measurement i = X at (i / n2, i % n2) (the identity).
    case all
    /// Measurement i = c · X at (rows[i], columns[i]).
    case cells(rows: [Int], columns: [Int], scale: Double)
}
