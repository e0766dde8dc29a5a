/// What an evaluation may read besides the row.
public struct ExpressionContext: Sendable {
    /// The batch's processing time in microseconds since the epoch; `now()` returns it.
    public var batchTimeMicros: Int64

    /// Creates a context.
    public init(batchTimeMicros: Int64) {
        self.batchTimeMicros = batchTimeMicros
    }
}
