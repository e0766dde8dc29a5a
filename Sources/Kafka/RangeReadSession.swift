internal import CRdKafka

/// The state of one `read`: where each partition stands in its range, read from the queues of
/// the reader's `PartitionAssignment`. Lives only inside the reader's lock.
struct RangeReadSession {
    struct Cursor {
        let range: PartitionRange
        let queue: OpaquePointer
        var next: Int64
        var done = false
        /// One past the highest offset of a message taken from the queue; nil after an error
        /// was taken from it (where the queue stands is then unknown).
        var position: Int64?
    }

    let client: RDKafkaClient
    let maxBatchSize: Int
    private(set) var cursors: [Cursor] = []
    let received: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    let kept: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>>

    /// `ranges` must all be assigned, each at its start offset, in `assignment`.
    init(client: RDKafkaClient, ranges: [PartitionRange], assignment: borrowing PartitionAssignment, maxBatchSize: Int) {
        self.client = client
        self.maxBatchSize = max(1, maxBatchSize)
        received = .allocate(capacity: self.maxBatchSize)
        kept = .allocate(capacity: self.maxBatchSize)
        for range in ranges {
            let queue = assignment.queue(of: range.topicPartition)!
            cursors.append(Cursor(range: range, queue: queue, next: range.start, position: range.start))
        }
    }

    func close() {
        received.deallocate()
        kept.deallocate()
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
                // A queue that is waited on is asked for its first message only. librdkafka's
                // wait returns once it has every message asked for or the time is up: asking
                // for thousands kept the reader asleep on one partition while the others filled
                // up. The next pass takes what has arrived meanwhile. Reading alone (baseline B
                // of `tributary bench`) went from 2.56 to 3.32 million records/s, median of 25
                // rounds; the pipeline's figures did not change.
                let asked = waitMilliseconds > 0 ? 1 : want
                let count = rd_kafka_consume_batch_queue(cursors[index].queue, waitMilliseconds, received, asked)
                if count < 0 {
                    throw KafkaError(rd_kafka_last_error(), "reading \(cursors[index].range)")
                }
                if count > 0 {
                    progressed = true
                    try take(count, caughtUp: count < asked, cursor: &cursors[index], summary: &summary, body)
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
        caughtUp: Bool,
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
                    cursor.position = nil
                    kafkaLogger.debug("\(error)")
                }
                continue
            }
            let offset = message.pointee.offset
            if let position = cursor.position { cursor.position = max(position, offset + 1) }
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
                messages: UnsafeBufferPointer(start: kept, count: keptCount),
                isCaughtUp: caughtUp || cursor.done))
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
}
