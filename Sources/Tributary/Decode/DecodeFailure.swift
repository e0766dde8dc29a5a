/// Why one record could not be decoded.
public struct DecodeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which step rejected the record.
    public enum Stage: String, Sendable {
        /// Not valid JSON, not an object, or invalid UTF-8.
        case decode
        /// Valid JSON that does not fit the schema.
        case schema
    }

    /// Which step rejected the record.
    public var stage: Stage
    /// A precise, stable, human-readable explanation.
    public var reason: String
    /// The reason text.
    public var description: String { reason }

    /// Creates a failure.
    public init(stage: Stage, reason: String) {
        self.stage = stage
        self.reason = reason
    }
}
