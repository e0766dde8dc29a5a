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

/// An idempotent producer. `send` returns only once the broker confirmed every record (or the
/// first failure); `enqueue` takes a `KafkaOutgoingBatch` and returns at once, and
/// `waitForDeliveries` waits for everything enqueued, so that a stream of batches is not held
/// up by each one's round trip.
///
/// Methods block the calling thread; delivery reports are served by the calling thread
/// itself, under a lock, into memory of the call that produced the record.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    /// Records enqueued and not yet waited for, oldest first, and the first failure among
    /// those already reported and released.
    private let outstanding = Mutex(Outstanding())

    private struct Outstanding: ~Copyable {
        var outcomes: [DeliveryOutcome] = []
        var firstFailure: KafkaError?

        /// The records enqueued and not yet reported.
        var unreported: Int { outcomes.reduce(0) { $0 + $1.remaining.pointee } }
    }

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

    deinit {
        // Delivery reports are written into memory this producer frees: none may come later.
        abandonDeliveries()
    }

    /// Produces `records` and waits until every one is acknowledged. Returns a report per
    /// record, in order; throws the first failure (the others may or may not have landed, as
    /// with any Kafka producer: retry the whole batch and let readers deduplicate).
    @discardableResult
    public func send(_ records: [KafkaOutgoingRecord], timeout: Duration = .seconds(30)) throws(KafkaError) -> [KafkaDeliveryReport] {
        let handle = client.handle
        return try deliver(records.count, topic: { records[$0].topic }, timeout: timeout) { index, slot in
            let record = records[index]
            return withBorrowedBytes(record.value) { value in
                withBorrowedBytes(record.key) { key in
                    withProduceStrings(topic: record.topic, headers: record.headers) { strings in
                        strings.produce(handle, value: value, key: key, partition: record.partition, timestamp: record.timestamp, opaque: slot)
                    }
                }
            }
        }
    }

    /// Enqueues the records of `batch` and returns without waiting for their delivery reports;
    /// `waitForDeliveries` waits for them. Waits only while librdkafka's local queue is full,
    /// at most `timeout`, and throws when a record still cannot be enqueued (those before it
    /// stay enqueued), or at once when a record enqueued earlier has already failed.
    public func enqueue(_ batch: KafkaOutgoingBatch, timeout: Duration = .seconds(30)) throws(KafkaError) {
        guard !batch.isEmpty else { return }
        let handle = client.handle
        let deadline = ContinuousClock.now + timeout
        let failure: KafkaError? = batch.bytes.withUnsafeBytes { bytes in
            withProduceStrings(topic: batch.topic, headers: batch.headers) { strings in
                outstanding.withLock { outstanding in
                    // A record already failed: the batch is lost, so stop adding to it.
                    if let failure = outstanding.firstFailure { return failure }
                    let outcome = DeliveryOutcome(count: batch.count, topic: batch.topic)
                    outstanding.outcomes.append(outcome)
                    let failure = enqueueAll(outcome, topic: { _ in batch.topic }, until: deadline) { index, slot in
                        strings.produce(handle, value: batch.value(in: bytes, at: index), key: batch.key(in: bytes, at: index),
                                        partition: nil, timestamp: nil, opaque: slot)
                    }
                    // Serve the reports that are in, so that they do not pile up in librdkafka
                    // until the wait, and release what is fully reported.
                    client.poll(timeoutMilliseconds: 0)
                    Self.release(&outstanding, keepingPending: true)
                    return failure
                }
            }
        }
        if let failure { throw failure }
    }

    /// The records enqueued and not yet reported.
    public var outstandingRecords: Int {
        outstanding.withLock { $0.unreported }
    }

    /// The `enqueue` calls whose delivery outcomes are still kept (each is freed once all its
    /// records are reported), for tests that check nothing is left behind.
    var keptOutcomes: Int {
        outstanding.withLock { $0.outcomes.count }
    }

    /// What librdkafka still holds for this producer: messages queued or in flight, and
    /// reports and events not yet served (`rd_kafka_outq_len`).
    var heldByLibrary: Int {
        Int(rd_kafka_outq_len(client.handle))
    }

    /// The value librdkafka uses for the configuration property `name`, nil when it has none.
    func configurationValue(_ name: String) -> String? {
        client.configurationValue(name)
    }

    /// Waits, serving delivery reports, until at most `records` records enqueued are still
    /// unreported, or `timeout` has passed (then it returns with more in flight: the records
    /// stay enqueued, and `waitForDeliveries` reports what becomes of them). Throws the first
    /// failure reported so far (thrown again by `waitForDeliveries`). Bounds what a stream of
    /// `enqueue` calls keeps in flight, and so the memory its messages hold.
    public func waitUntilOutstanding(atMost records: Int, timeout: Duration = .seconds(30)) throws(KafkaError) {
        let deadline = ContinuousClock.now + timeout
        try outstanding.withLock { outstanding throws(KafkaError) in
            while outstanding.unreported > records && ContinuousClock.now < deadline {
                client.poll(timeoutMilliseconds: 10)
                Self.release(&outstanding, keepingPending: true)
            }
            if let failure = outstanding.firstFailure { throw failure }
        }
    }

    /// Waits until every record enqueued so far is acknowledged, at most `timeout`, and throws
    /// the first failure among them, in the order they were enqueued. Nothing is outstanding
    /// afterwards, whether it throws or not; at the timeout the rest is purged.
    public func waitForDeliveries(timeout: Duration = .seconds(30)) throws(KafkaError) {
        let deadline = ContinuousClock.now + timeout
        try outstanding.withLock { outstanding throws(KafkaError) in
            let purged = waitUntilReported(outstanding.outcomes, deadline: deadline)
            let earlier = outstanding.firstFailure
            let timedOut = purged ? Self.timeoutError(outstanding.outcomes, after: timeout) : nil
            Self.release(&outstanding, keepingPending: false)
            let failure = earlier ?? timedOut ?? outstanding.firstFailure
            outstanding.firstFailure = nil
            if let failure { throw failure }
        }
    }

    /// The error for records purged because a wait ran out of time: a timeout, which may pass
    /// on a later attempt, rather than librdkafka's "purged" codes.
    private static func timeoutError(_ outcomes: [DeliveryOutcome], after timeout: Duration) -> KafkaError? {
        let purged = outcomes.reduce(0) { $0 + $1.purgedCount }
        guard purged > 0 else { return nil }
        return KafkaError(code: .timedOut, message: "\(purged) record(s) to \(outcomes.first?.topic ?? "") were not acknowledged within \(timeout); they were given up",
                          isRetriable: true)
    }

    /// Drops every record enqueued and not yet reported (librdkafka purges it from its queues;
    /// one already sent may still land) and forgets their outcome. For a batch given up after
    /// a failure elsewhere, which will be produced again.
    public func abandonDeliveries() {
        outstanding.withLock { outstanding in
            // A deadline already past: purge at once, then collect the purged reports.
            waitUntilReported(outstanding.outcomes, deadline: .now)
            Self.release(&outstanding, keepingPending: false)
            outstanding.firstFailure = nil
        }
    }

    /// Frees the outcomes whose every record is reported (all of them unless
    /// `keepingPending`), noting the first failure among them.
    private static func release(_ outstanding: inout Outstanding, keepingPending: Bool) {
        while let outcome = outstanding.outcomes.first, !keepingPending || outcome.remaining.pointee == 0 {
            if outstanding.firstFailure == nil { outstanding.firstFailure = outcome.firstFailure() }
            outcome.deallocate()
            outstanding.outcomes.removeFirst()
        }
    }

    /// Polls until every record of `outcomes` is reported. Past `deadline`, purges what is
    /// left (purged records still get a failed report) and polls until those are in too, so
    /// that no report comes after the outcomes are freed. Returns whether it purged.
    @discardableResult
    private func waitUntilReported(_ outcomes: [DeliveryOutcome], deadline: ContinuousClock.Instant) -> Bool {
        var purged = false
        while outcomes.contains(where: { $0.remaining.pointee > 0 }) {
            if !purged && ContinuousClock.now >= deadline {
                rd_kafka_purge(client.handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                purged = true
            }
            client.poll(timeoutMilliseconds: purged ? 100 : 50)
        }
        return purged
    }

    /// Enqueues records `0..<count` with `produce` (which returns librdkafka's error, if any)
    /// and waits until every one is acknowledged, at most `timeout`.
    private func deliver(
        _ count: Int, topic: (Int) -> String, timeout: Duration,
        produce: (Int, UnsafeMutablePointer<DeliverySlot>) -> OpaquePointer?
    ) throws(KafkaError) -> [KafkaDeliveryReport] {
        guard count > 0 else { return [] }
        let deadline = ContinuousClock.now + timeout
        return try outstanding.withLock { _ throws(KafkaError) in
            let outcome = DeliveryOutcome(count: count, topic: "")
            defer { outcome.deallocate() }
            let enqueueError = enqueueAll(outcome, topic: topic, until: deadline, produce: produce)
            let purged = waitUntilReported([outcome], deadline: deadline)
            if let enqueueError { throw enqueueError }
            if purged, let timedOut = Self.timeoutError([outcome], after: timeout) { throw timedOut }
            var reports: [KafkaDeliveryReport] = []
            reports.reserveCapacity(count)
            for index in 0..<count {
                let slot = outcome.slots[index]
                guard slot.error == 0 else {
                    throw KafkaError(rd_kafka_resp_err_t(rawValue: slot.error), "delivering record \(index) of \(count) to \(topic(index))")
                }
                reports.append(KafkaDeliveryReport(partition: slot.partition, offset: slot.offset))
            }
            return reports
        }
    }

    /// Enqueues the records of `outcome` in order with `produce`; returns the error that
    /// stopped it, if any, after counting the records not enqueued as reported (they get no
    /// delivery report).
    private func enqueueAll(
        _ outcome: DeliveryOutcome, topic: (Int) -> String, until deadline: ContinuousClock.Instant,
        produce: (Int, UnsafeMutablePointer<DeliverySlot>) -> OpaquePointer?
    ) -> KafkaError? {
        for index in 0..<outcome.count {
            if let error = produceWaitingForRoom(index, topic: topic, slot: outcome.slots + index, until: deadline, produce: produce) {
                outcome.remaining.pointee -= outcome.count - index
                return error
            }
        }
        return nil
    }

    /// Waits until every record produced so far is acknowledged, at most `timeout`.
    public func flush(timeout: Duration = .seconds(30)) throws(KafkaError) {
        try outstanding.withLock { _ throws(KafkaError) in
            let err = rd_kafka_flush(client.handle, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "flush") }
        }
    }

    /// The partition count of each of `topics` that exists.
    public func partitionCounts(of topics: [String], timeout: Duration = .seconds(10)) throws(KafkaError) -> [String: Int] {
        try client.partitionCounts(of: topics, timeout: timeout)
    }

    /// Produces record `index`, waiting for room while the local queue is full.
    private func produceWaitingForRoom(
        _ index: Int, topic: (Int) -> String,
        slot: UnsafeMutablePointer<DeliverySlot>,
        until deadline: ContinuousClock.Instant,
        produce: (Int, UnsafeMutablePointer<DeliverySlot>) -> OpaquePointer?
    ) -> KafkaError? {
        while true {
            guard let error = produce(index, slot) else { return nil }
            let wrapped = KafkaError(taking: error, "producing to \(topic(index))")
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

/// The slots of one `send` or `enqueue` call and the count of reports still expected.
private struct DeliveryOutcome: @unchecked Sendable {
    // @unchecked: the memory is read and written only under the producer's lock, by the
    // calling thread and by the delivery callback that `rd_kafka_poll` runs on that thread.
    let slots: UnsafeMutablePointer<DeliverySlot>
    let remaining: UnsafeMutablePointer<Int>
    let count: Int
    /// The topic, for the failure's message.
    let topic: String

    init(count: Int, topic: String) {
        remaining = .allocate(capacity: 1)
        remaining.initialize(to: count)
        slots = .allocate(capacity: count)
        slots.initialize(repeating: DeliverySlot(remaining: remaining), count: count)
        self.count = count
        self.topic = topic
    }

    /// The number of records purged from librdkafka's queues (`rd_kafka_purge`).
    var purgedCount: Int {
        (0..<count).reduce(0) { purged, index in
            let error = slots[index].error
            return purged + (error == RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue || error == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT.rawValue ? 1 : 0)
        }
    }

    /// The first record that failed, once every record is reported.
    func firstFailure() -> KafkaError? {
        for index in 0..<count where slots[index].error != 0 {
            return KafkaError(rd_kafka_resp_err_t(rawValue: slots[index].error), "delivering record \(index) of \(count) to \(topic)")
        }
        return nil
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

/// The C strings of one `rd_kafka_produceva` call (Swift cannot call the variadic
/// `rd_kafka_producev`): the topic and header names, NUL-terminated, and the header values,
/// copied once into temporary memory and used for as many records as share them.
/// RD_KAFKA_MSG_F_COPY makes librdkafka copy the value and key, and it copies header names
/// and values into its own header list, so nothing here outlives the call: producing a record
/// allocates nothing on this side.
private struct ProduceStrings {
    struct Header {
        var name: UnsafePointer<CChar>
        var value: UnsafeRawPointer?
        var size: Int
    }

    let topic: UnsafePointer<CChar>
    let headers: UnsafeBufferPointer<Header>
    /// Room for one call's arguments.
    let arguments: UnsafeMutablePointer<rd_kafka_vu_t>
    /// An address for an empty value or key: without one librdkafka produces a null value (a
    /// tombstone) or no key, not an empty one.
    let nonNull: UnsafeMutableRawPointer

    /// Produces one record; returns librdkafka's error, if any.
    func produce(
        _ handle: OpaquePointer, value: UnsafeRawBufferPointer?, key: UnsafeRawBufferPointer?,
        partition: Int32?, timestamp: Int64?, opaque: UnsafeMutableRawPointer
    ) -> OpaquePointer? {
        var count = 0
        func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
            var argument = rd_kafka_vu_t()
            argument.vtype = type
            fill(&argument)
            arguments[count] = argument
            count += 1
        }
        add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
        add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? RD_KAFKA_PARTITION_UA }
        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
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
        for header in headers {
            add(RD_KAFKA_VTYPE_HEADER) {
                $0.u.header.name = header.name
                $0.u.header.val = header.value
                $0.u.header.size = header.size
            }
        }
        if let timestamp {
            add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
        }
        add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
        return rd_kafka_produceva(handle, arguments, count)
    }

    /// The most arguments one call takes: topic, partition, flags, value, key, timestamp and
    /// opaque, and the headers.
    static func argumentCapacity(headers: Int) -> Int { 7 + headers }
}

/// Runs `body` with the C strings of `topic` and `headers` in temporary memory.
private func withProduceStrings<Result>(topic: String, headers: [KafkaHeader], _ body: (ProduceStrings) -> Result) -> Result {
    let size = headers.reduce(topic.utf8.count + 1) { size, header in
        size + header.name.utf8.count + 1 + (header.value?.count ?? 0)
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { scratch in
        var used = 0
        func copy(_ bytes: some Collection<UInt8>, terminated: Bool) -> UnsafeRawPointer {
            let start = scratch.baseAddress! + used
            used += UnsafeMutableBufferPointer(rebasing: scratch[used...]).initialize(fromContentsOf: bytes)
            if terminated {
                scratch[used] = 0
                used += 1
            }
            return UnsafeRawPointer(start)
        }
        let topicName = copy(topic.utf8, terminated: true).assumingMemoryBound(to: CChar.self)
        return withUnsafeTemporaryAllocation(of: ProduceStrings.Header.self, capacity: headers.count) { prepared in
            for (index, header) in headers.enumerated() {
                let name = copy(header.name.utf8, terminated: true).assumingMemoryBound(to: CChar.self)
                let value = header.value.map { copy($0, terminated: false) }
                (prepared.baseAddress! + index).initialize(to: ProduceStrings.Header(name: name, value: value, size: header.value?.count ?? 0))
            }
            return withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: ProduceStrings.argumentCapacity(headers: headers.count)) { arguments in
                body(ProduceStrings(topic: topicName, headers: UnsafeBufferPointer(prepared), arguments: arguments.baseAddress!,
                                    nonNull: UnsafeMutableRawPointer(scratch.baseAddress!)))
            }
        }
    }
}

/// Runs `body` with `bytes` borrowed, or with nil when there are none.
private func withBorrowedBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
