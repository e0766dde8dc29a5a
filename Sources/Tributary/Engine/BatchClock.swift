import Synchronization

/// The batch time of the batch in flight, shared with the sinks that evaluate expressions
/// (a Kafka sink's key): `now()` is the batch's processing time everywhere.
final class BatchClock: Sendable {
    private let current = Mutex(ExpressionContext(batchTimeMicros: 0))

    var context: ExpressionContext {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
