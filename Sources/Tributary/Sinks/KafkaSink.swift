import Kafka

/// Produces each record as a JSON value to a topic, with a key from an expression and headers
/// `tributary.batch` (the batch id) and `tributary.origin` (kafka, file or replay). The batch
/// commits only after every delivery report is positive. A batch run again after a crash
/// produces the same records with the same keys and headers again: at-least-once, and
/// readers can drop repeats by (batch, key).
final class KafkaSink: BatchSink {
    let name: String
    let topic: String
    let producer: KafkaProducer
    let writer: ProjectedRowWriter
    let key: CompiledExpression?
    /// How long a batch waits for room in librdkafka's queue and for acknowledgements.
    let acknowledgementWait: Duration

    init(name: String, config: KafkaSinkConfig, bootstrap: String, writer: ProjectedRowWriter, key: CompiledExpression?) throws {
        self.name = name
        self.topic = config.topic
        self.writer = writer
        self.key = key
        acknowledgementWait = config.acknowledgementWait
        var properties = config.librdkafka
        properties["bootstrap.servers"] = bootstrap
        // What librdkafka may hold of the sink's records (queued or awaiting acknowledgement)
        // is bounded by `maxInFlight` records and by this many KiB, whichever comes first:
        // librdkafka's own default is 1 GiB, which records of a few hundred KiB would reach
        // well before 5 000 of them. A full queue makes the sink wait for acknowledgements.
        if properties[Self.queueBytesProperty] == nil { properties[Self.queueBytesProperty] = Self.defaultQueueKiB }
        producer = try KafkaProducer(configuration: KafkaConfiguration(properties: properties))
        // librdkafka looks up a topic it has not produced to yet only on its next periodic
        // scan, up to a second later, and holds the first records until then. Asking for the
        // metadata now fills its cache before the first batch. A broker that is down now is
        // not an error here: producing retries, and reports it if it lasts.
        _ = try? producer.partitionCounts(of: [topic], timeout: .seconds(5))
    }

    /// librdkafka's bound on the bytes of records it holds, and the sink's default for it.
    static let queueBytesProperty = "queue.buffering.max.kbytes"
    static let defaultQueueKiB = "32768"

    func prepare(rows: RowBuffer, selection: [Int], origin: String, context: ExpressionContext) throws -> SinkPart {
        // Keys and values go into one buffer for the part, and the part's records share one
        // header list: no array per record. The batch header is added when the batch writes
        // the part (`open(batch:)`).
        var batch = KafkaOutgoingBatch(topic: topic, headers: [KafkaHeader(name: "tributary.origin", text: origin)],
                                       reservingRecords: selection.count, bytesPerRecord: writer.estimatedObjectSize)
        let writer = self.writer
        for row in selection {
            let values = rows[row]
            guard let key else {
                batch.append { writer.appendObject(values, to: &$0) }
                continue
            }
            // A key that cannot be computed is a record the sink cannot place.
            let keyValue = try key.evaluate(values, context)
            batch.append(value: { writer.appendObject(values, to: &$0) }, key: { Self.appendKey(keyValue, to: &$0) })
        }
        return .records(batch)
    }

    func open(batch: Int64) throws -> any SinkBatch {
        Producing(sink: self, batchHeader: KafkaHeader(name: "tributary.batch", text: String(batch)))
    }

    /// Enqueues each part as it comes, and at `finish` waits for every delivery report: the
    /// parts of a batch are not held up by each other's round trips, and the batch still
    /// commits only once every record is acknowledged.
    private final class Producing: SinkBatch {
        let sink: KafkaSink
        let batchHeader: KafkaHeader
        private var finished = false
        /// Records left unacknowledged before the next part is taken: about a part's worth, so
        /// that librdkafka's messages for them stay within a few megabytes whatever the batch
        /// size. In the standalone run of `docs/performance.md`, 5 000 kept the wall time of an
        /// unbounded queue (0.46 s) with 10% less CPU and 63 instead of 79 MiB peak; 1 000 made
        /// it 0.81 s. The bytes in flight are bounded too, by librdkafka (`defaultQueueKiB`).
        static let maxInFlight = 5_000

        init(sink: KafkaSink, batchHeader: KafkaHeader) {
            self.sink = sink
            self.batchHeader = batchHeader
        }

        deinit {
            // A batch given up before `finish` (a failure elsewhere) will be run again: drop
            // what it still has in flight rather than let it be reported to the next one.
            if !finished { sink.producer.abandonDeliveries() }
        }

        func write(_ part: SinkPart) throws {
            guard case .records(var batch) = part, !batch.isEmpty else { return }
            batch.headers.insert(batchHeader, at: 0)
            try sink.producer.enqueue(batch, timeout: sink.acknowledgementWait)
            try sink.producer.waitUntilOutstanding(atMost: Self.maxInFlight, timeout: sink.acknowledgementWait)
        }

        func finish() throws {
            finished = true
            try sink.producer.waitForDeliveries(timeout: sink.acknowledgementWait)
        }
    }

    /// Appends a key's bytes: text as it is, other values as JSON; false for null (no key).
    static func appendKey(_ value: FieldValue, to bytes: inout [UInt8]) -> Bool {
        switch value {
        case .null: return false
        case .string(let text): bytes.append(contentsOf: text.utf8)
        case .text: return appendKey(value.materialized, to: &bytes)
        default: JSONLineWriter.appendValue(value, to: &bytes)
        }
        return true
    }
}
