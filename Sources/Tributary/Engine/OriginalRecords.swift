import Kafka

/// Finds the original bytes of records that failed after decoding (in a transform or at a
/// sink), so their dead letters hold the record as it arrived, ready to be fixed and replayed
/// like any other. Failures are rare, so the source is read again rather than every record
/// being kept in memory: Kafka offsets are fetched once per partition, file lines by offset.
struct OriginalRecords {
    let batch: BatchRows
    let kafka: KafkaSource?
    let config: TributaryConfig

    func deadLetters(for failures: [(row: Int, stage: DeadLetter.Stage, reason: String)]) -> [DeadLetter] {
        guard !failures.isEmpty else { return [] }
        let kafkaRecords = fetchKafka(failures.map(\.row))
        return failures.sorted { $0.row < $1.row }.map { failure in
            let (raw, origin) = original(of: failure.row, kafkaRecords: kafkaRecords)
            return DeadLetter(raw: raw, reason: failure.reason, stage: failure.stage, origin: origin)
        }
    }

    private func original(of row: Int, kafkaRecords: [TopicPartition: [Int64: KafkaRecord]]) -> ([UInt8], DeadLetter.Origin) {
        switch batch.origins[row] {
        case let .kafka(partition, offset):
            let topicPartition = batch.partitions[Int(partition)]
            let record = kafkaRecords[topicPartition]?[offset]
            return (record?.value ?? rowJSON(row), .kafka(topic: topicPartition.topic, partition: topicPartition.partition, offset: offset, key: record?.key))
        case let .file(file, line, byteOffset, _):
            let path = batch.files[Int(file)]
            return (fileLine(path, at: byteOffset) ?? rowJSON(row), .file(path: path, line: line, byteOffset: byteOffset))
        case .replay(let entry):
            let letter = batch.replayed[Int(entry)]
            return (letter.raw, letter.origin)
        }
    }

    /// Reads each partition's failing offsets in one range read.
    private func fetchKafka(_ rows: [Int]) -> [TopicPartition: [Int64: KafkaRecord]] {
        var wanted: [TopicPartition: Set<Int64>] = [:]
        for row in rows {
            if case let .kafka(partition, offset) = batch.origins[row] { wanted[batch.partitions[Int(partition)], default: []].insert(offset) }
        }
        guard let kafka, !wanted.isEmpty else { return [:] }
        var found: [TopicPartition: [Int64: KafkaRecord]] = [:]
        let ranges = wanted.map { PartitionRange($0.key.topic, $0.key.partition, start: $0.value.min()!, end: $0.value.max()! + 1) }
        _ = try? kafka.reader.read(ranges, timeout: .seconds(10)) { records in
            for record in records where wanted[records.topicPartition]?.contains(record.offset) == true {
                found[records.topicPartition, default: [:]][record.offset] = record.copy(topic: records.topicPartition.topic)
            }
        }
        return found
    }

    /// The line that starts at `offset` (plain or gzip file), or nil when it is not there.
    private func fileLine(_ path: String, at offset: Int64) -> [UInt8]? {
        var bytes: [UInt8]?
        let reader = LineReader(path: path, gzip: path.hasSuffix(".gz"), start: offset, end: offset + 1, maxRecordBytes: config.maxRecordBytes)
        _ = try? reader.forEachLine { line in
            if line.offset == offset && line.kind == .complete { bytes = Array(line.bytes) }
        }
        return bytes
    }

    /// The record as decoded, when its original bytes cannot be found again.
    private func rowJSON(_ row: Int) -> [UInt8] {
        var buffer: [UInt8] = []
        ProjectedRowWriter(columns: batch.rows.width == 0 ? [] : (0..<min(batch.rows.width, config.schema.fields.count)).map { (config.schema.fields[$0].name, $0) })
            .appendObject(batch.rows[row], to: &buffer)
        return buffer
    }
}
