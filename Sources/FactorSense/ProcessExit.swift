import CExitGate

/// What the library guarantees when the process ends while solves run on other threads
/// (docs/errors.md, "Exit during a solve"): no crash. The process's exit lets the OpenBLAS and
/// LAPACK calls under way finish before OpenBLAS's exit-time teardown frees their buffers, and
/// from then on a solving thread that is about to make such a call — or to call a caller's
/// progress or perturbation callback — sleeps until the process has ended; its work is lost,
/// as it would be anyway (Sources/CExitGate).
///
/// A runtime that is torn down before the C `exit` — the Python interpreter, which the package
/// tells at its shutdown — calls `begin()` first, so that no solve calls back into it.
public enum ProcessExit {
    /// Declares that the process is ending: from now on, every thread but this one stops for good
    /// at its next OpenBLAS call or callback (the calls under way finish). Irreversible: call it
    /// only when the process is about to end. Thread-safe; never waits.
    public static func begin() {
        fsk_exit_begin()
    }

    /// Before a solve calls a caller's function: returns at once, except once the process is
    /// ending (`begin()`, or exit), where it never returns on a thread other than the exiting one.
    public static func beforeCallback() {
        fsk_callback_begin()
    }
}
