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

    init(name: String, config: KafkaSinkConfig, bootstrap: String, writer: ProjectedRowWriter, key: CompiledExpression?) throws {
        self.name = name
        self.topic = config.topic
        self.writer = writer
        self.key = key
        var properties = config.librdkafka
        properties["bootstrap.servers"] = bootstrap
        producer = try KafkaProducer(configuration: KafkaConfiguration(properties: properties))
    }

    func prepare(rows: RowBuffer, selection: [Int], origin: String, context: ExpressionContext) throws -> SinkPart {
        var records: [KafkaOutgoingRecord] = []
        records.reserveCapacity(selection.count)
        // One header list for the part, shared by its records (copying an array only retains it).
        let headers = [KafkaHeader(name: "tributary.origin", text: origin)]
        var buffer: [UInt8] = []
        for row in selection {
            buffer.removeAll(keepingCapacity: true)
            writer.appendObject(rows[row], to: &buffer)
            var keyBytes: [UInt8]?
            if let key {
                // A key that cannot be computed is a record the sink cannot place.
                let value = try key.evaluate(rows[row], context)
                keyBytes = Self.bytes(of: value)
            }
            // The batch header is added when the batch writes the part (`open(batch:)`).
            records.append(KafkaOutgoingRecord(topic: topic, key: keyBytes, value: buffer, headers: headers))
        }
        return .records(records)
    }

    func open(batch: Int64) throws -> any SinkBatch {
        Producing(sink: self, batchHeader: KafkaHeader(name: "tributary.batch", text: String(batch)))
    }

    /// Sends each part as it comes and waits for its delivery reports.
    private final class Producing: SinkBatch {
        let sink: KafkaSink
        let batchHeader: KafkaHeader

        init(sink: KafkaSink, batchHeader: KafkaHeader) {
            self.sink = sink
            self.batchHeader = batchHeader
        }

        func write(_ part: SinkPart) throws {
            guard case .records(var records) = part, !records.isEmpty else { return }
            // `prepare` gives a part's records one shared header list: the batch header is put
            // in front of each distinct list once, not into every record's own copy.
            // (Comparing two arrays that share storage is one pointer comparison.)
            var last: (headers: [KafkaHeader], extended: [KafkaHeader]) = ([], [batchHeader])
            for index in records.indices {
                let headers = records[index].headers
                if headers != last.headers { last = (headers, [batchHeader] + headers) }
                records[index].headers = last.extended
            }
            try sink.producer.send(records, timeout: .seconds(60))
        }

        func finish() throws {}
    }

    /// A key's bytes: text as it is, other values as JSON, null as no key.
    static func bytes(of value: FieldValue) -> [UInt8]? {
        switch value {
        case .null: return nil
        case .string(let text): return Array(text.utf8)
        default:
            var buffer: [UInt8] = []
            JSONLineWriter.appendValue(value, to: &buffer)
            return buffer
        }
    }
}
