/// Why an expression could not be compiled, pointing at the place in the source.
public struct ExpressionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where the expression comes from, e.g. "transform[2].set.score".
    public var location: String
    /// The 1-based character column of the offending token.
    public var column: Int
    /// The offending token's text (empty at the end of the input).
    public var token: String
    /// The explanation, without the location and column.
    public var message: String

    /// Creates an error.
    public init(location: String, column: Int, token: String, message: String) {
        self.location = location
        self.column = column
        self.token = token
        self.message = message
    }

    /// `location: message at column N`; for "unexpected …, expected …" messages the column goes before
    /// the second clause: `location: unexpected 'x' at column N, expected ')'`.
    public var description: String {
        let prefix = location.isEmpty ? "" : "\(location): "
        let at = " at column \(column)"
        if message.hasPrefix("unexpected "), let clause = message.firstRange(of: ", expected ") {
            return prefix + message[..<clause.lowerBound] + at + message[clause.lowerBound...]
        }
        return prefix + message + at
    }
}
