import Kafka

/// An output. A batch reaches a sink in chunks: `prepare` turns a chunk's rows into bytes or
/// records (on any thread, several chunks at once), then the batch's `SinkBatch` writes the
/// prepared parts one at a time in read order and `finish`es. A sink must be idempotent per
/// batch id: a batch run again after a crash replaces (files) or repeats with the same keys
/// and headers (Kafka) what its first run wrote.
protocol BatchSink: AnyObject, Sendable {
    /// The sink's name, for logs and progress reports.
    var name: String { get }
    /// What this sink writes for the rows of `selection` (positions in `rows`, in order), all
    /// from a source whose `origin()` is `origin`.
    func prepare(rows: RowBuffer, selection: [Int], origin: String, context: ExpressionContext) throws -> SinkPart
    /// Starts writing batch `batch`.
    func open(batch: Int64) throws -> any SinkBatch
}

/// One batch being written by a sink.
protocol SinkBatch: AnyObject {
    /// Writes one prepared part; parts come in read order.
    func write(_ part: SinkPart) throws
    /// Makes everything written durable. A batch dropped without `finish` leaves no output
    /// under the batch's final names.
    func finish() throws
}

/// What a sink makes of one chunk's rows.
enum SinkPart: Sendable {
    /// JSON lines per output folder (`""`: the sink's own folder), rows in order.
    case lines([Group])
    /// Kafka records to produce, keys and values in one buffer.
    case records(KafkaOutgoingBatch)

    struct Group: Sendable {
        var folder: String
        var bytes: OutputBlock
        var records: Int
    }
}
