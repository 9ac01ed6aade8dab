/// What a run that meets a non-finite value steps back to, so that a diverged run's factors and
/// its last history row are finite whenever some iterate's were: the last iterate whose full
/// loss was seen finite (`verified`), and — for mini-batch runs, whose steps evaluate the full
/// loss only at recorded iterates — checkpoints of earlier iterates. Level j of the checkpoints
/// holds the latest iterate whose index is a multiple of 2ʲ, so they lie about 1, 2, 4, 8, …
/// steps back, in at most log₂(t) + 2 distinct copies of the factors.
struct DivergenceGuard {
    /// An iterate t with its factors.
    typealias Iterate = (t: Int, U: Matrix, V: Matrix)

    /// The last iterate whose full loss was seen finite.
    private(set) var verified: Iterate?
    private var checkpoints: [Iterate] = []

    /// Notes that iterate t's full loss is finite.
    mutating func verify(_ t: Int, U: Matrix, V: Matrix) {
        verified = (t, U, V)
    }

    /// Keeps iterate t (whose factors are finite) as a checkpoint.
    mutating func checkpoint(_ t: Int, U: Matrix, V: Matrix) {
        var level = 0
        while true {
            if level == checkpoints.count { checkpoints.append((t, U, V)) } else { checkpoints[level] = (t, U, V) }
            guard t != 0, t.trailingZeroBitCount > level else { return }
            level += 1
        }
    }

    /// The checkpoints before iterate `bound` and newer than `verified`, newest first, each once:
    /// the candidates to try (evaluating each fully) before falling back to `verified`.
    func candidates(before bound: Int) -> [Iterate] {
        let newer = checkpoints.filter { $0.t < bound && $0.t > (verified?.t ?? -1) }.sorted { $0.t > $1.t }
        var seen = Set<Int>()
        return newer.filter { seen.insert($0.t).inserted }
    }
}
