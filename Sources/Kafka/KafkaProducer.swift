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
/// variadic `rd_kafka_producev`). The C strings and byte buffers live for the call only;
/// RD_KAFKA_MSG_F_COPY makes librdkafka copy what it keeps.
private func withProduceArguments<Result>(
    _ record: KafkaOutgoingRecord,
    opaque: UnsafeMutableRawPointer,
    _ body: (UnsafeBufferPointer<rd_kafka_vu_t>) -> Result
) -> Result {
    var strings: [UnsafeMutablePointer<CChar>] = []
    var buffers: [UnsafeMutableRawPointer] = []
    defer {
        strings.forEach { $0.deallocate() }
        buffers.forEach { $0.deallocate() }
    }
    func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8CString)
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        pointer.initialize(from: utf8, count: utf8.count)
        strings.append(pointer)
        return pointer
    }
    func bytes(_ value: [UInt8]?) -> (UnsafeMutableRawPointer?, Int) {
        guard let value else { return (nil, 0) }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(1, value.count), alignment: 1)
        value.withUnsafeBytes { if let base = $0.baseAddress { pointer.copyMemory(from: base, byteCount: value.count) } }
        buffers.append(pointer)
        return (pointer, value.count)
    }

    var arguments: [rd_kafka_vu_t] = []
    var argument = rd_kafka_vu_t()
    argument.vtype = RD_KAFKA_VTYPE_TOPIC
    argument.u.cstr = UnsafePointer(cString(record.topic))
    arguments.append(argument)

    argument = rd_kafka_vu_t()
    argument.vtype = RD_KAFKA_VTYPE_PARTITION
    argument.u.i32 = record.partition ?? RD_KAFKA_PARTITION_UA
    arguments.append(argument)

    argument = rd_kafka_vu_t()
    argument.vtype = RD_KAFKA_VTYPE_MSGFLAGS
    argument.u.i = RD_KAFKA_MSG_F_COPY
    arguments.append(argument)

    let (valuePointer, valueSize) = bytes(record.value)
    argument = rd_kafka_vu_t()
    argument.vtype = RD_KAFKA_VTYPE_VALUE
    argument.u.mem.ptr = valuePointer
    argument.u.mem.size = valueSize
    arguments.append(argument)

    if let key = record.key {
        let (keyPointer, keySize) = bytes(key)
        argument = rd_kafka_vu_t()
        argument.vtype = RD_KAFKA_VTYPE_KEY
        argument.u.mem.ptr = keyPointer
        argument.u.mem.size = keySize
        arguments.append(argument)
    }

    for header in record.headers {
        let (headerPointer, headerSize) = bytes(header.value)
        argument = rd_kafka_vu_t()
        argument.vtype = RD_KAFKA_VTYPE_HEADER
        argument.u.header.name = UnsafePointer(cString(header.name))
        argument.u.header.val = UnsafeRawPointer(headerPointer)
        argument.u.header.size = headerSize
        arguments.append(argument)
    }

    if let timestamp = record.timestamp {
        argument = rd_kafka_vu_t()
        argument.vtype = RD_KAFKA_VTYPE_TIMESTAMP
        argument.u.i64 = timestamp
        arguments.append(argument)
    }

    argument = rd_kafka_vu_t()
    argument.vtype = RD_KAFKA_VTYPE_OPAQUE
    argument.u.ptr = opaque
    arguments.append(argument)

    return arguments.withUnsafeBufferPointer(body)
}
