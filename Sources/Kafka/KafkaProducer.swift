internal import CRdKafka
import Synchronization

/// A record to produce.
public struct KafkaOutgoingRecord: Sendable, Hashable {
    public var topic: String
    /// The partition, or nil to let the partitioner choose (by key hash when there is a key).
    public var partition: Int32?
    public var key: [UInt8]?
    /// The value; nil produces a tombstone.
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch; nil lets librdkafka use the current time.
    public var timestamp: Int64?

    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// Where a produced record landed.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var partition: Int32
    public var offset: Int64
}

/// An idempotent producer whose `send` returns only once the broker confirmed every record
/// of the batch (or the first failure).
///
/// Methods block the calling thread; delivery reports are served by the sending thread
/// itself, under a lock, so a batch's reports never reach another caller.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    private let sendLock = Mutex(())

    /// Creates a producer; `configuration` needs `bootstrap.servers`. Idempotence is on by
    /// default (no duplicates or reordering from internal retries); set
    /// `enable.idempotence=false` to turn it off.
    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        client = try RDKafkaClient.make(
            .producer,
            configuration: configuration,
            defaults: [
                "enable.idempotence": "true",
                "linger.ms": "5",
            ]
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, recordDelivery)
        }
    }

    /// Produces `records` and waits until every one is acknowledged. Returns a report per
    /// record, in order; throws the first failure (the others may or may not have landed, as
    /// with any Kafka producer: retry the whole batch and let readers deduplicate).
    @discardableResult
    public func send(_ records: [KafkaOutgoingRecord], timeout: Duration = .seconds(30)) throws(KafkaError) -> [KafkaDeliveryReport] {
        guard !records.isEmpty else { return [] }
        return try sendLock.withLock { _ throws(KafkaError) in
            let outcome = DeliveryOutcome(count: records.count)
            defer { outcome.deallocate() }
            let deadline = ContinuousClock.now + timeout
            var enqueueError: KafkaError?
            for (index, record) in records.enumerated() {
                if let error = enqueue(record, slot: outcome.slots + index, until: deadline) {
                    // Records not enqueued get no delivery report: count them as done here.
                    enqueueError = error
                    outcome.remaining.pointee -= records.count - index
                    break
                }
            }
            while outcome.remaining.pointee > 0 {
                if ContinuousClock.now >= deadline {
                    // Purged messages still get a (failed) report, so every slot is written
                    // before `outcome` is freed.
                    rd_kafka_purge(client.handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                    while outcome.remaining.pointee > 0 { client.poll(timeoutMilliseconds: 100) }
                    break
                }
                client.poll(timeoutMilliseconds: 50)
            }
            if let enqueueError { throw enqueueError }
            var reports: [KafkaDeliveryReport] = []
            reports.reserveCapacity(records.count)
            for index in 0..<records.count {
                let slot = outcome.slots[index]
                guard slot.error == 0 else {
                    let err = rd_kafka_resp_err_t(rawValue: slot.error)
                    throw KafkaError(err, "delivering record \(index) of \(records.count) to \(records[index].topic)")
                }
                reports.append(KafkaDeliveryReport(partition: slot.partition, offset: slot.offset))
            }
            return reports
        }
    }

    /// Waits until every record produced so far is acknowledged, at most `timeout`.
    public func flush(timeout: Duration = .seconds(30)) throws(KafkaError) {
        try sendLock.withLock { _ throws(KafkaError) in
            let err = rd_kafka_flush(client.handle, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "flush") }
        }
    }

    /// The partition count of each of `topics` that exists.
    public func partitionCounts(of topics: [String], timeout: Duration = .seconds(10)) throws(KafkaError) -> [String: Int] {
        try client.partitionCounts(of: topics, timeout: timeout)
    }

    /// Enqueues one record, waiting for room while the local queue is full.
    private func enqueue(
        _ record: KafkaOutgoingRecord,
        slot: UnsafeMutablePointer<DeliverySlot>,
        until deadline: ContinuousClock.Instant
    ) -> KafkaError? {
        while true {
            let error: OpaquePointer? = withProduceArguments(record, opaque: slot) { arguments in
                rd_kafka_produceva(client.handle, arguments.baseAddress, arguments.count)
            }
            guard let error else { return nil }
            let wrapped = KafkaError(taking: error, "producing to \(record.topic)")
            guard wrapped.code == .queueFull, ContinuousClock.now < deadline else { return wrapped }
            client.poll(timeoutMilliseconds: 100)
        }
    }
}

/// The outcome of one delivery, written by librdkafka's delivery callback.
struct DeliverySlot {
    var error: Int32 = 0
    var partition: Int32 = -1
    var offset: Int64 = -1
    var remaining: UnsafeMutablePointer<Int>
}

/// The slots of one `send` call and the count of reports still expected.
private struct DeliveryOutcome {
    let slots: UnsafeMutablePointer<DeliverySlot>
    let remaining: UnsafeMutablePointer<Int>

    init(count: Int) {
        remaining = .allocate(capacity: 1)
        remaining.initialize(to: count)
        slots = .allocate(capacity: count)
        slots.initialize(repeating: DeliverySlot(remaining: remaining), count: count)
    }

    func deallocate() {
        slots.deallocate()
        remaining.deallocate()
    }
}

/// librdkafka's delivery report callback: runs inside `rd_kafka_poll` on the sending thread.
private func recordDelivery(
    _ client: OpaquePointer?,
    _ message: UnsafePointer<rd_kafka_message_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let raw = message.pointee._private else { return }
    let slot = raw.assumingMemoryBound(to: DeliverySlot.self)
    slot.pointee.error = message.pointee.err.rawValue
    slot.pointee.partition = message.pointee.partition
    slot.pointee.offset = message.pointee.offset
    slot.pointee.remaining.pointee -= 1
}

/// Builds the `rd_kafka_vu_t` argument array of `rd_kafka_produceva` (Swift cannot call the
/// variadic `rd_kafka_producev`) for the call only: RD_KAFKA_MSG_F_COPY makes librdkafka copy
/// the value and key, and it copies header names and values into its own header list.
///
/// The value and key are borrowed where they are; the topic and header names (which need C
/// strings) and header values are copied into one scratch block, and the arguments into
/// another, both temporary allocations: producing a record allocates nothing here.
private func withProduceArguments<Result>(
    _ record: KafkaOutgoingRecord,
    opaque: UnsafeMutableRawPointer,
    _ body: (UnsafeBufferPointer<rd_kafka_vu_t>) -> Result
) -> Result {
    withBorrowedBytes(record.value) { value in
        withBorrowedBytes(record.key) { key in
            let scratchSize = record.headers.reduce(record.topic.utf8.count + 1) { size, header in
                size + header.name.utf8.count + 1 + (header.value?.count ?? 0)
            }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchSize) { scratch in
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6 + record.headers.count) { arguments in
                    var used = 0
                    var count = 0
                    func copy(_ bytes: some Collection<UInt8>, terminated: Bool) -> UnsafeMutablePointer<UInt8> {
                        let start = scratch.baseAddress! + used
                        var end = UnsafeMutableBufferPointer(rebasing: scratch[used...]).initialize(fromContentsOf: bytes) + used
                        if terminated {
                            scratch[end] = 0
                            end += 1
                        }
                        used = end
                        return start
                    }
                    func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                        var argument = rd_kafka_vu_t()
                        argument.vtype = type
                        fill(&argument)
                        (arguments.baseAddress! + count).initialize(to: argument)
                        count += 1
                    }
                    let topic = UnsafeRawPointer(copy(record.topic.utf8, terminated: true))
                    add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic.assumingMemoryBound(to: CChar.self) }
                    add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = record.partition ?? RD_KAFKA_PARTITION_UA }
                    add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    // An empty value or key still needs an address: without one librdkafka
                    // produces a null value (a tombstone) or no key, not an empty one.
                    let nonNull = UnsafeMutableRawPointer(scratch.baseAddress!)
                    add(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = value.map { UnsafeMutableRawPointer(mutating: $0.baseAddress) ?? nonNull }
                        $0.u.mem.size = value?.count ?? 0
                    }
                    if let key {
                        add(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress) ?? nonNull
                            $0.u.mem.size = key.count
                        }
                    }
                    for header in record.headers {
                        let name = UnsafeRawPointer(copy(header.name.utf8, terminated: true))
                        let headerValue = header.value.map { UnsafeRawPointer(copy($0, terminated: false)) }
                        add(RD_KAFKA_VTYPE_HEADER) {
                            $0.u.header.name = name.assumingMemoryBound(to: CChar.self)
                            $0.u.header.val = headerValue
                            $0.u.header.size = header.value?.count ?? 0
                        }
                    }
                    if let timestamp = record.timestamp {
                        add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
                    }
                    add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                    defer { arguments.baseAddress!.deinitialize(count: count) }
                    return body(UnsafeBufferPointer(start: arguments.baseAddress, count: count))
                }
            }
        }
    }
}

/// Runs `body` with `bytes` borrowed, or with nil when there are none.
private func withBorrowedBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
