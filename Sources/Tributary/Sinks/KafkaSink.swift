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
    let context: () -> ExpressionContext

    init(name: String, config: KafkaSinkConfig, bootstrap: String, writer: ProjectedRowWriter,
         key: CompiledExpression?, context: @escaping () -> ExpressionContext) throws {
        self.name = name
        self.topic = config.topic
        self.writer = writer
        self.key = key
        self.context = context
        var properties = config.librdkafka
        properties["bootstrap.servers"] = bootstrap
        producer = try KafkaProducer(configuration: KafkaConfiguration(properties: properties))
    }

    func write(batch: Int64, rows: RowBuffer, selection: [Int], origins: [RowOrigin]) throws {
        guard !selection.isEmpty else { return }
        let batchHeader = KafkaHeader(name: "tributary.batch", text: String(batch))
        let context = context()
        var records: [KafkaOutgoingRecord] = []
        records.reserveCapacity(selection.count)
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
            records.append(KafkaOutgoingRecord(
                topic: topic, key: keyBytes, value: buffer,
                headers: [batchHeader, KafkaHeader(name: "tributary.origin", text: origins[row].originName)]))
        }
        try producer.send(records, timeout: .seconds(60))
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

extension RowOrigin {
    /// "kafka", "file" or "replay", as `origin()` says.
    var originName: String {
        switch self {
        case .kafka: return "kafka"
        case .file: return "file"
        case .replay: return "replay"
        }
    }

    /// "kafka", "files" or "replay": the source a row is counted under.
    var sourceName: String {
        switch self {
        case .kafka: return "kafka"
        case .file: return "files"
        case .replay: return "replay"
        }
    }
}
