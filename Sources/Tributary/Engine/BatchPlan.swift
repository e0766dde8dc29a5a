public import Kafka

/// The write-ahead record of one batch (`checkpoint/offsets/<N>`): everything needed to run it
/// again identically after a crash.
public struct BatchPlan: Codable, Sendable, Equatable {
    /// One Kafka partition's planned range.
    public struct KafkaRange: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var start: Int64
        public var end: Int64

        public init(topic: String, partition: Int32, start: Int64, end: Int64) {
            self.topic = topic
            self.partition = partition
            self.start = start
            self.end = end
        }

        public var range: PartitionRange { PartitionRange(topic, partition, start: start, end: end) }
    }

    public var batch: Int64
    /// The batch's processing time (RFC 3339): `now()` in transforms and the time stamped on
    /// dead letters, so a re-run produces the same output.
    public var batchTime: String
    /// Every known partition, empty ranges included.
    public var kafka: [KafkaRange]
    public var files: [PlannedFileRange]
    /// Gaps skipped while planning (fail_on_data_loss = false).
    public var dataLoss: [DataLossEvent]
    /// Set on batches an operator made rather than the planner (a checkpoint reset, a
    /// dead-letter replay), saying what they are.
    public var note: String?
    /// For a dead-letter replay: the dead-letter files whose records this batch feeds back.
    public var replay: [String]?

    public init(batch: Int64, batchTime: String, kafka: [KafkaRange], files: [PlannedFileRange], dataLoss: [DataLossEvent], note: String? = nil, replay: [String]? = nil) {
        self.batch = batch
        self.batchTime = batchTime
        self.kafka = kafka
        self.files = files
        self.dataLoss = dataLoss
        self.note = note
        self.replay = replay
    }

    enum CodingKeys: String, CodingKey {
        case batch, kafka, files, note, replay
        case batchTime = "batch_time"
        case dataLoss = "data_loss"
    }

    /// True when the batch reads nothing.
    public var isEmpty: Bool { kafka.allSatisfy { $0.start >= $0.end } && files.isEmpty && (replay ?? []).isEmpty }

    /// Each partition's next offset once this batch is done.
    public var kafkaEnds: [TopicPartition: Int64] {
        Dictionary(kafka.map { (TopicPartition($0.topic, $0.partition), $0.end) }, uniquingKeysWith: { $1 })
    }
}

/// The record that a batch's outputs are durable (`checkpoint/commits/<N>`).
public struct BatchCommit: Codable, Sendable, Equatable {
    /// How far each planned file range actually went.
    public struct FileResult: Codable, Sendable, Equatable {
        public var path: String
        public var size: Int64
        public var mtimeNanos: Int64
        public var start: Int64
        /// One past the last byte of the last line read.
        public var endOffset: Int64
        /// Lines taken from the file so far, this range included.
        public var linesTaken: Int64
        /// True when the range reached the end of the file.
        public var complete: Bool

        enum CodingKeys: String, CodingKey {
            case path, size, start, complete
            case mtimeNanos = "mtime_ns"
            case endOffset = "end_offset"
            case linesTaken = "lines_taken"
        }
    }

    public var batch: Int64
    public var committedAt: String
    public var counts: [String: SourceCounts]
    public var files: [FileResult]

    enum CodingKeys: String, CodingKey {
        case batch, counts, files
        case committedAt = "committed_at"
    }
}

/// The accounting of one source in one batch: read = written + filtered + dead_lettered.
public struct SourceCounts: Codable, Sendable, Equatable {
    public var read = 0
    public var written = 0
    public var filtered = 0
    public var deadLettered = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case read, written, filtered
        case deadLettered = "dead_lettered"
    }

    /// True when every record read is accounted for.
    public var balances: Bool { read == written + filtered + deadLettered }
}
