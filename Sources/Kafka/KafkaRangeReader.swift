internal import CRdKafka
import Synchronization

/// Reads exact offset ranges from many partitions: every record in `[start, end)` of each
/// range, no more and no fewer, in offset order per partition.
///
/// Offsets are owned by the caller (Tributary's checkpoint), not by a consumer group: the
/// reader never subscribes, never commits, and assigns partitions explicitly at the planned
/// offsets, so no rebalance can move data under it. Each partition is read from a queue of
/// its own and asked for at most the records still missing from its range.
///
/// All methods block the calling thread: call them from a dedicated thread or through the
/// `async` variants, which run them off the Swift concurrency pool.
public final class KafkaRangeReader: Sendable {
    let client: RDKafkaClient
    // librdkafka's assignment is per handle, so one read runs at a time.
    private let readLock = Mutex(())

    /// Creates a reader. `configuration` needs `bootstrap.servers`; any other librdkafka
    /// consumer property may be set, except those the reader's exactness relies on.
    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        client = try RDKafkaClient.make(
            .consumer,
            configuration: configuration,
            defaults: [
                // Bounds the records fetched ahead of the range per partition.
                "queued.max.messages.kbytes": "16384",
                "fetch.wait.max.ms": "100",
            ],
            fixed: [
                // A throw-away group: the id is required by librdkafka but nothing is ever
                // committed to it and it is never joined.
                "group.id": "tributary-range-reader-\(UInt64.random(in: 0...UInt64.max))",
                "enable.auto.commit": "false",
                "enable.auto.offset.store": "false",
                // EOF events tell us the position reached the end of the log, which ends a
                // range whose last offsets are gaps (compaction, transaction markers).
                "enable.partition.eof": "true",
                // `error` can make rd_kafka_destroy hang in 2.0.2; data loss is detected by
                // comparing planned offsets with the watermarks instead (see Watermarks).
                "auto.offset.reset": "earliest",
            ]
        )
    }

    /// Reads every record of `ranges`, handing them to `body` in batches (one partition per
    /// batch, at most `maxBatchSize` records, offsets increasing). Records are not copied:
    /// a batch is valid only during the call to `body`.
    ///
    /// Ranges with `start >= end` are done at once. Throws a retriable `KafkaError` when the
    /// ranges are not complete within `timeout`, naming the partitions still missing records;
    /// records already handed to `body` stay handed over.
    @discardableResult
    public func read(
        _ ranges: [PartitionRange],
        timeout: Duration = .seconds(60),
        maxBatchSize: Int = 10_000,
        _ body: (KafkaRecordBatch) throws -> Void
    ) throws -> KafkaReadSummary {
        try validate(ranges)
        let pending = ranges.filter { !$0.isEmpty }
        var summary = KafkaReadSummary()
        for range in ranges where range.isEmpty {
            summary.partitions[range.topicPartition] = KafkaReadSummary.Partition()
        }
        guard !pending.isEmpty else { return summary }
        return try readLock.withLock { _ in
            var session = try RangeReadSession(client: client, ranges: pending, maxBatchSize: maxBatchSize)
            defer { session.close() }
            try session.run(until: .now + timeout, summary: &summary, body)
            return summary
        }
    }

    /// Reads every record of `ranges` and returns them copied, off the Swift concurrency
    /// pool. Meant for tests and tools; the engine uses the batch API.
    public func readAll(_ ranges: [PartitionRange], timeout: Duration = .seconds(60)) async throws -> [KafkaRecord] {
        try await runBlocking {
            var records: [KafkaRecord] = []
            try self.read(ranges, timeout: timeout) { batch in records.append(contentsOf: batch.copyAll()) }
            return records
        }
    }

    /// The low and high watermarks of `partitions`, in two broker round trips.
    public func watermarks(of partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws(KafkaError) -> [TopicPartition: Watermarks] {
        try client.watermarks(of: partitions, timeout: timeout)
    }

    /// The partition count of each of `topics` that exists; missing topics are absent.
    public func partitionCounts(of topics: [String], timeout: Duration = .seconds(10)) throws(KafkaError) -> [String: Int] {
        try client.partitionCounts(of: topics, timeout: timeout)
    }

    /// True when `topic` exists on the cluster.
    public func topicExists(_ topic: String, timeout: Duration = .seconds(10)) throws(KafkaError) -> Bool {
        try partitionCounts(of: [topic], timeout: timeout)[topic] != nil
    }

    private func validate(_ ranges: [PartitionRange]) throws(KafkaError) {
        var seen = Set<TopicPartition>()
        for range in ranges {
            guard seen.insert(range.topicPartition).inserted else {
                throw KafkaError(code: .invalidArgument, message: "\(range.topicPartition) appears twice in one read", hint: "Merge the ranges of a partition into one")
            }
            guard range.start >= 0 else {
                throw KafkaError(code: .invalidArgument, message: "\(range): a start offset must be a real offset (0 or more), not a logical one", hint: "Resolve earliest/latest to offsets with watermarks(of:) first")
            }
        }
    }
}

/// What one `read` delivered.
public struct KafkaReadSummary: Sendable {
    /// What was read from one partition.
    public struct Partition: Sendable {
        /// The number of records handed over.
        public var records = 0
        /// Payload bytes (keys and values) handed over.
        public var bytes = 0
        /// The first and last offsets handed over, nil when none.
        public var firstOffset: Int64?
        public var lastOffset: Int64?
    }

    public var partitions: [TopicPartition: Partition] = [:]
    public var records: Int { partitions.values.reduce(0) { $0 + $1.records } }
    public var bytes: Int { partitions.values.reduce(0) { $0 + $1.bytes } }
}

/// The state of one `read`: the assignment, the partition queues, and where each partition
/// stands. Lives only inside the reader's lock.
private struct RangeReadSession {
    struct Cursor {
        let range: PartitionRange
        let queue: OpaquePointer
        var next: Int64
        var done = false
    }

    let client: RDKafkaClient
    let maxBatchSize: Int
    var cursors: [Cursor] = []
    let received: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    let kept: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>>

    init(client: RDKafkaClient, ranges: [PartitionRange], maxBatchSize: Int) throws(KafkaError) {
        self.client = client
        self.maxBatchSize = max(1, maxBatchSize)
        received = .allocate(capacity: self.maxBatchSize)
        kept = .allocate(capacity: self.maxBatchSize)
        for range in ranges {
            // The queue must exist and be detached from the consumer queue before the
            // assignment starts fetching, or early records would land in the shared queue.
            guard let queue = rd_kafka_queue_get_partition(client.handle, range.topic, range.partition) else {
                close()
                throw KafkaError(code: .unknownPartition, message: "no queue for \(range.topicPartition)")
            }
            rd_kafka_queue_forward(queue, nil)
            cursors.append(Cursor(range: range, queue: queue, next: range.start))
        }
        let assignment = TopicPartitionList(ranges.map { ($0.topicPartition, $0.start) })
        let err = rd_kafka_assign(client.handle, assignment.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            close()
            throw KafkaError(err, "assigning \(ranges.count) partitions")
        }
    }

    mutating func run(
        until deadline: ContinuousClock.Instant,
        summary: inout KafkaReadSummary,
        _ body: (KafkaRecordBatch) throws -> Void
    ) throws {
        var waitMilliseconds: Int32 = 0
        while cursors.contains(where: { !$0.done }) {
            var progressed = false
            for index in cursors.indices where !cursors[index].done {
                let want = Int(min(Int64(maxBatchSize), cursors[index].range.end - cursors[index].next))
                let count = rd_kafka_consume_batch_queue(cursors[index].queue, waitMilliseconds, received, want)
                if count < 0 {
                    throw KafkaError(rd_kafka_last_error(), "reading \(cursors[index].range)")
                }
                if count > 0 {
                    progressed = true
                    try take(count, cursor: &cursors[index], summary: &summary, body)
                }
            }
            if !progressed {
                if ContinuousClock.now >= deadline { throw timeoutError() }
                client.poll(timeoutMilliseconds: 0)
                waitMilliseconds = 10
            } else {
                waitMilliseconds = 0
            }
        }
    }

    /// Hands the in-range messages among the `count` received to `body`, then frees them all.
    private func take(
        _ count: Int,
        cursor: inout Cursor,
        summary: inout KafkaReadSummary,
        _ body: (KafkaRecordBatch) throws -> Void
    ) throws {
        defer { for index in 0..<count { rd_kafka_message_destroy(received[index]) } }
        var keptCount = 0
        var failure: KafkaError?
        var stats = summary.partitions[cursor.range.topicPartition] ?? KafkaReadSummary.Partition()
        for index in 0..<count {
            let message = received[index]!
            let err = message.pointee.err
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    // The log ends here: if that is at or past `end`, the rest of the range
                    // was gaps.
                    if message.pointee.offset >= cursor.range.end { cursor.done = true }
                } else {
                    let error = KafkaError(err, "reading \(cursor.range)")
                    if !error.isRetriable { failure = failure ?? error }
                    kafkaLogger.debug("\(error)")
                }
                continue
            }
            let offset = message.pointee.offset
            if offset < cursor.next || cursor.done { continue }
            if offset >= cursor.range.end {
                cursor.done = true
                continue
            }
            kept[keptCount] = message
            keptCount += 1
            cursor.next = offset + 1
            stats.records += 1
            stats.bytes += message.pointee.len + message.pointee.key_len
            if stats.firstOffset == nil { stats.firstOffset = offset }
            stats.lastOffset = offset
            if cursor.next >= cursor.range.end { cursor.done = true }
        }
        summary.partitions[cursor.range.topicPartition] = stats
        if let failure { throw failure }
        if keptCount > 0 {
            try body(KafkaRecordBatch(
                topicPartition: cursor.range.topicPartition,
                messages: UnsafeBufferPointer(start: kept, count: keptCount)))
        }
    }

    private func timeoutError() -> KafkaError {
        let missing = cursors.filter { !$0.done }
            .map { "\($0.range.topicPartition) at \($0.next) of [\($0.range.start), \($0.range.end))" }
            .joined(separator: ", ")
        return KafkaError(
            code: .timedOut,
            message: "range read did not complete in time; still missing records: \(missing)",
            hint: "Check that the brokers are up and that the planned offsets exist (watermarks); the read can be retried",
            isRetriable: true)
    }

    mutating func close() {
        if !cursors.isEmpty { rd_kafka_assign(client.handle, nil) }
        for cursor in cursors { rd_kafka_queue_destroy(cursor.queue) }
        cursors.removeAll()
        received.deallocate()
        kept.deallocate()
    }
}
