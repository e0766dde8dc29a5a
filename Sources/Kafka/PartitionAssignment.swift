internal import CRdKafka

/// The partitions a `KafkaRangeReader` has assigned, each with its own queue and the offset of
/// the next message waiting in that queue. It outlives a single `read`.
///
/// Keeping the assignment between reads is what lets a stream of contiguous reads (batch N
/// reads `[a, b)`, batch N+1 reads `[b, c)`) go at full speed: librdkafka keeps fetching the
/// partitions while the caller processes, commits and plans, so the next read finds its
/// first records already in the queues instead of waiting for a new assignment to start
/// fetching. A read that does not start exactly where the queue stands (a retry, a replanned
/// range, a gap the previous read skipped past) drops the whole assignment and assigns the
/// planned offsets again, so exactness never depends on what was prefetched.
struct PartitionAssignment: ~Copyable, @unchecked Sendable {
    // @unchecked: the queue pointers are used only by the reader holding the Mutex this
    // lives in.
    struct Assigned {
        let queue: OpaquePointer
        /// The offset the queue's next message must have for a read starting there to reuse
        /// it: one past the last message taken from the queue. Nil when unknown (an error was
        /// taken from the queue), which forces a new assignment.
        var position: Int64?
    }

    private(set) var partitions: [TopicPartition: Assigned] = [:]
    /// How many times partitions were assigned afresh (a read that continues the last one
    /// assigns nothing).
    private(set) var assignments = 0

    /// Makes sure every one of `ranges` can be read from its queue: when each starts exactly
    /// at its queue's position, nothing changes; otherwise the assignment is replaced by
    /// `ranges` at their start offsets.
    mutating func prepare(_ ranges: [PartitionRange], client: RDKafkaClient, deadline: ContinuousClock.Instant) throws(KafkaError) {
        if ranges.allSatisfy({ partitions[$0.topicPartition]?.position == $0.start }) { return }
        reset(client: client)
        // A handle that has not seen the topics' metadata yet takes about a second to start
        // fetching after an assignment; one metadata round trip first makes it start at once.
        // A failure here (brokers down) is left for the read to report, within its deadline.
        let left = ContinuousClock.now.duration(to: deadline)
        if left > .zero {
            _ = try? client.partitionCounts(of: Array(Set(ranges.map(\.topic))), timeout: min(left, .seconds(10)))
        }
        for range in ranges {
            // The queue must exist and be detached from the consumer queue before the
            // assignment starts fetching, or early records would land in the shared queue.
            guard let queue = rd_kafka_queue_get_partition(client.handle, range.topic, range.partition) else {
                reset(client: client)
                throw KafkaError(code: .unknownPartition, message: "no queue for \(range.topicPartition)")
            }
            rd_kafka_queue_forward(queue, nil)
            partitions[range.topicPartition] = Assigned(queue: queue, position: range.start)
        }
        assignments += 1
        let list = TopicPartitionList(ranges.map { ($0.topicPartition, $0.start) })
        let err = rd_kafka_assign(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            reset(client: client)
            throw KafkaError(err, "assigning \(ranges.count) partitions")
        }
    }

    /// The queue of an assigned partition.
    func queue(of partition: TopicPartition) -> OpaquePointer? {
        partitions[partition]?.queue
    }

    /// Records where a partition's queue stands after a read took messages from it.
    mutating func setPosition(_ position: Int64?, of partition: TopicPartition) {
        partitions[partition]?.position = position
    }

    /// Stops fetching and drops every queue, with whatever they had prefetched.
    mutating func reset(client: RDKafkaClient) {
        guard !partitions.isEmpty else { return }
        rd_kafka_assign(client.handle, nil)
        for assigned in partitions.values { rd_kafka_queue_destroy(assigned.queue) }
        partitions.removeAll()
    }
}
