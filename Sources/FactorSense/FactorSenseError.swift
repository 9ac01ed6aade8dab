/// The one error type of FactorSense: what was wrong, in words that name the argument and the
/// value expected, and a kind that the C layer maps to an `fs_status`.
public struct FactorSenseError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The class of a failure; each maps to one pinned C status.
    public enum Kind: Sendable, Equatable {
        /// A required pointer that is NULL (raised by the C layer only).
        case nullPointer
        /// A handle that is NULL, freed or of another kind (raised by the C layer only).
        case invalidHandle
        /// A value outside its domain (a negative step, width 0, an unknown option name).
        case invalidArgument
        /// An array whose length does not match the problem.
        case sizeMismatch
        /// NaN or infinity in an input.
        case notFinite
        /// A size product that overflows, or a size beyond what BLAS indexes.
        case overflow
        /// An allocation larger than this machine's memory.
        case outOfMemory
        /// A call before the object holds what it needs.
        case wrongState
        /// A LAPACK routine reported failure.
        case linearAlgebra
        /// A bug in FactorSense.
        case `internal`
        /// A long call that stopped because a stop was requested (`StopRequest`, `fs_interrupt`).
        case interrupted
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The longest part of a caller's text that a message repeats.
    public static let echoLimit = 64

    /// `text` in double quotes for a message, cut to its first `echoLimit` characters and "…"
    /// when longer (a 10 MB option name must not become a 10 MB message), with control
    /// characters (an embedded NUL, a newline) shown as \u{…} escapes.
    public static func quoted(_ text: String) -> String {
        var shown = ""
        var count = 0
        for character in text {
            if count == echoLimit { return "\"" + shown + "\"… (\(text.count) characters)" }
            let scalars = character.unicodeScalars
            if scalars.count == 1, let scalar = scalars.first, scalar.properties.generalCategory == .control {
                shown += scalar.escaped(asASCII: true)
            } else {
                shown.append(character)
            }
            count += 1
        }
        return "\"" + shown + "\""
    }
}
