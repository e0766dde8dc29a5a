/// Why evaluating an expression for one row failed, e.g. "division by zero in 'a / b'".
public struct ExpressionRuntimeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The explanation.
    public var message: String

    /// Creates an error.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
