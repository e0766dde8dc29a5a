/// A topic and a partition number.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// The half-open offset range `[start, end)` of one partition.
public struct PartitionRange: Hashable, Sendable, CustomStringConvertible, Codable {
    public var topicPartition: TopicPartition
    /// The first offset to read.
    public var start: Int64
    /// One past the last offset to read.
    public var end: Int64

    public init(_ topic: String, _ partition: Int32, start: Int64, end: Int64) {
        self.topicPartition = TopicPartition(topic, partition)
        self.start = start
        self.end = end
    }

    public var topic: String { topicPartition.topic }
    public var partition: Int32 { topicPartition.partition }
    /// The number of offsets in the range (records, unless the log has gaps).
    public var count: Int64 { max(0, end - start) }
    public var isEmpty: Bool { end <= start }

    public var description: String { "\(topicPartition) [\(start), \(end))" }
}

/// The low and high watermarks of a partition: the first offset still retained and one past
/// the last offset written.
public struct Watermarks: Hashable, Sendable, CustomStringConvertible, Codable {
    public var low: Int64
    public var high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }

    public var description: String { "[\(low), \(high))" }

    /// Checks that the broker still holds `[start, ...)`: a start below the low watermark means
    /// retention deleted records that were never read; a start above the high watermark means
    /// the log was truncated or the topic recreated. Returns the problem, or nil when none.
    public func dataLoss(plannedStart start: Int64, of topicPartition: TopicPartition) -> KafkaError? {
        if start < low {
            return KafkaError(
                code: .dataLoss,
                message: "\(topicPartition): offsets [\(start), \(low)) are no longer on the broker (low watermark \(low), planned start \(start)); retention deleted them before they were read",
                hint: "Raise the topic's retention or the per-trigger limit; set fail_on_data_loss = false to skip the gap and continue from offset \(low)",
                isRetriable: false
            )
        }
        if start > high {
            return KafkaError(
                code: .dataLoss,
                message: "\(topicPartition): planned start \(start) is past the high watermark \(high); the topic was probably deleted and recreated",
                hint: "Reset the checkpoint's offsets for this topic, or set fail_on_data_loss = false to continue from offset \(low)",
                isRetriable: false
            )
        }
        return nil
    }
}
