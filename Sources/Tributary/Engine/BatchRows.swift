import Kafka

/// The records of one batch as they move from decoding to the sinks: rows, where each came
/// from, and the tables those origins point into.
struct BatchRows {
    var rows: RowBuffer
    var origins: [RowOrigin] = []
    /// Partitions, indexed by `RowOrigin.kafka(partition:)`.
    var partitions: [TopicPartition] = []
    /// Files, indexed by `RowOrigin.file(file:)`.
    var files: [String] = []
    /// Replayed dead letters, indexed by `RowOrigin.replay(entry:)`.
    var replayed: [DeadLetter] = []

    init(width: Int) { rows = RowBuffer(width: width) }
}
