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
/// The assignment outlives a read: when the next read of a partition starts where the last
/// one ended (a stream of batches), its records have been fetched meanwhile and are taken
/// from the queue at once; any other start assigns the planned offsets afresh (see
/// `PartitionAssignment`). Watermark and metadata queries go through a second handle that
/// never fetches, so they never wait behind a fetch the broker holds open at the end of the
/// log (`fetch.wait.max.ms`).
///
/// All methods block the calling thread: call them from a dedicated thread or through the
/// `async` variants, which run them off the Swift concurrency pool.
public final class KafkaRangeReader: Sendable {
    let client: RDKafkaClient
    /// Watermarks and metadata only: never assigned anything.
    let metadataClient: RDKafkaClient
    // librdkafka's assignment is per handle, so one read runs at a time.
    private let assignment = Mutex(PartitionAssignment())

    /// Creates a reader. `configuration` needs `bootstrap.servers`; any other librdkafka
    /// consumer property may be set, except those the reader's exactness relies on.
    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        client = try Self.makeClient(configuration)
        metadataClient = try Self.makeMetadataClient(configuration)
    }

    deinit {
        // The queues hold references into the handle: they go before it is destroyed.
        let client = self.client
        assignment.withLock { $0.reset(client: client) }
    }

    private static func makeClient(_ configuration: KafkaConfiguration) throws(KafkaError) -> RDKafkaClient {
        try RDKafkaClient.make(
            .consumer,
            configuration: configuration,
            defaults: [
                // Bounds the records fetched ahead per partition; the assignment outlives a
                // read, so this is also what a partition may hold between reads.
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

    /// The handle for watermarks and metadata: a consumer without a `group.id`, so librdkafka
    /// creates no consumer group for it and sends no FindCoordinator requests on its
    /// connection. With one, a FindCoordinator answer could reach the broker's socket just
    /// before a ListOffsets answer, and a broker that has not disabled Nagle's algorithm (the
    /// embedded one) then held the second answer until the first was acknowledged: a 40 ms
    /// delayed-ACK stall in about one first planning in four.
    private static func makeMetadataClient(_ configuration: KafkaConfiguration) throws(KafkaError) -> RDKafkaClient {
        var configuration = configuration
        // A static member id means nothing without a group.
        for name in ["group.id", "group.instance.id"] { configuration[name] = nil }
        return try RDKafkaClient.make(.consumer, configuration: configuration)
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
        let client = self.client
        let deadline = ContinuousClock.now + timeout
        return try assignment.withLock { assignment in
            try assignment.prepare(pending, client: client, deadline: deadline)
            var session = RangeReadSession(client: client, ranges: pending, assignment: assignment, maxBatchSize: maxBatchSize)
            defer { session.close() }
            do {
                try session.run(until: deadline, summary: &summary, body)
            } catch {
                // Where the queues stand after a failure is not worth reasoning about: the
                // next read assigns its offsets afresh.
                assignment.reset(client: client)
                throw error
            }
            for cursor in session.cursors {
                assignment.setPosition(cursor.position, of: cursor.range.topicPartition)
            }
            return summary
        }
    }

    /// How many times the reader assigned partitions afresh; reads that continue where the
    /// last one stopped do not add to it.
    var assignments: Int { assignment.withLock { $0.assignments } }

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
        try metadataClient.watermarks(of: partitions, timeout: timeout)
    }

    /// Every partition of `topics` (in the order of `topics`, then by number) and its
    /// watermarks, from one metadata request and two ListOffsets round trips
    /// (`partitionCounts` then `watermarks` make two metadata requests). A topic that does
    /// not exist is left out of both.
    public func partitionsAndWatermarks(of topics: [String], timeout: Duration = .seconds(10)) throws(KafkaError) -> (partitions: [TopicPartition], watermarks: [TopicPartition: Watermarks]) {
        let counts = try metadataClient.partitionCounts(of: topics, timeout: timeout)
        let partitions = topics.flatMap { topic in (0..<(counts[topic] ?? 0)).map { TopicPartition(topic, Int32($0)) } }
        return (partitions, try metadataClient.watermarks(of: partitions, counts: counts, timeout: timeout))
    }

    /// The partition count of each of `topics` that exists; missing topics are absent.
    public func partitionCounts(of topics: [String], timeout: Duration = .seconds(10)) throws(KafkaError) -> [String: Int] {
        try metadataClient.partitionCounts(of: topics, timeout: timeout)
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

