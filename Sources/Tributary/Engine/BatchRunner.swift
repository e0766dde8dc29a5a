import Kafka
import Logging

/// Runs one planned batch: reads its Kafka ranges and file ranges, decodes them into the
/// common schema (bad records become dead letters), and writes the sinks and the dead-letter
/// files. It does not touch the checkpoint: the engine commits after it returns.
final class BatchRunner {
    /// What a run produced.
    struct Outcome {
        var counts: [String: SourceCounts] = [:]
        var files: [BatchCommit.FileResult] = []
        var durations: [String: Duration] = [:]
        var deadLetterFiles: [String] = []
    }

    let config: TributaryConfig
    let kafka: KafkaSource?
    let sinks: [any BatchSink]
    let kafkaDecoder: SourceDecoder?
    let fileDecoder: SourceDecoder?
    let logger: Logger

    init(config: TributaryConfig, kafka: KafkaSource?, sinks: [any BatchSink], logger: Logger) {
        self.config = config
        self.kafka = kafka
        self.sinks = sinks
        self.logger = logger
        kafkaDecoder = config.kafka.map { SourceDecoder(schema: config.schema, mapping: $0.mapping) }
        fileDecoder = config.files.map { SourceDecoder(schema: config.schema, mapping: $0.mapping) }
    }

    func run(_ plan: BatchPlan) throws -> Outcome {
        var outcome = Outcome()
        let clock = ContinuousClock()
        var rows = RowBuffer(width: config.schema.fields.count)
        var deadLetters: [DeadLetter] = []
        let readStart = clock.now
        if let kafka, let kafkaDecoder, plan.kafka.contains(where: { $0.start < $0.end }) {
            outcome.counts["kafka"] = try readKafka(plan, kafka, kafkaDecoder, into: &rows, deadLetters: &deadLetters)
        }
        if let fileDecoder, !plan.files.isEmpty {
            var counts = SourceCounts()
            for range in plan.files {
                outcome.files.append(readFile(range, fileDecoder, counts: &counts, into: &rows, deadLetters: &deadLetters))
            }
            outcome.counts["files"] = counts
        }
        outcome.durations["read"] = clock.now - readStart
        // Transforms come here; until they exist every decoded record is written.
        outcome.durations["transform"] = .zero
        let sinkStart = clock.now
        for sink in sinks { _ = try sink.write(batch: plan.batch, rows: rows) }
        TestHooks.pause()
        for source in outcome.counts.keys { outcome.counts[source]!.written = outcome.counts[source]!.read - outcome.counts[source]!.deadLettered }
        outcome.deadLetterFiles = try writeDeadLetters(deadLetters, plan: plan)
        outcome.durations["sink"] = clock.now - sinkStart
        return outcome
    }

    private func readKafka(
        _ plan: BatchPlan, _ kafka: KafkaSource, _ decoder: SourceDecoder,
        into rows: inout RowBuffer, deadLetters: inout [DeadLetter]
    ) throws -> SourceCounts {
        var counts = SourceCounts()
        // Per-partition buffers, joined in partition order, so a re-run writes the same rows
        // in the same order whatever order the broker answered in.
        var byPartition: [TopicPartition: RowBuffer] = [:]
        var lettersByPartition: [TopicPartition: [DeadLetter]] = [:]
        try kafka.reader.read(plan.kafka.map(\.range), timeout: kafka.config.readTimeout) { batch in
            var partitionRows = byPartition[batch.topicPartition] ?? RowBuffer(width: rows.width)
            let topic = batch.topicPartition.topic
            for record in batch {
                counts.read += 1
                guard let value = record.value else {
                    counts.deadLettered += 1
                    lettersByPartition[batch.topicPartition, default: []].append(DeadLetter(
                        raw: [], reason: "record has a null value (a tombstone), not a JSON object", stage: .decode,
                        origin: .kafka(topic: topic, partition: record.partition, offset: record.offset, key: record.key.map { Array($0) })))
                    continue
                }
                if value.count > config.maxRecordBytes {
                    counts.deadLettered += 1
                    lettersByPartition[batch.topicPartition, default: []].append(DeadLetter(
                        raw: Array(value.prefix(256)), reason: "record of \(value.count) bytes is longer than max_record_bytes (\(config.maxRecordBytes)); only its first 256 bytes are kept here", stage: .decode,
                        origin: .kafka(topic: topic, partition: record.partition, offset: record.offset, key: record.key.map { Array($0) }), length: Int64(value.count)))
                    continue
                }
                let failure = decoder.decode(value, metadata: { Self.kafkaMetadata($0, record, topic) }, into: &partitionRows)
                if let failure {
                    counts.deadLettered += 1
                    lettersByPartition[batch.topicPartition, default: []].append(DeadLetter(
                        raw: Array(value), reason: failure.reason, stage: DeadLetter.Stage(failure.stage),
                        origin: .kafka(topic: topic, partition: record.partition, offset: record.offset, key: record.key.map { Array($0) })))
                }
            }
            byPartition[batch.topicPartition] = partitionRows
        }
        for partition in byPartition.keys.sorted() { rows.append(contentsOf: byPartition[partition]!) }
        for partition in lettersByPartition.keys.sorted() { deadLetters += lettersByPartition[partition]! }
        return counts
    }

    private static func kafkaMetadata(_ kind: RecordMetadata, _ record: KafkaRecordView, _ topic: String) -> FieldValue {
        switch kind {
        case .origin: return .string("kafka")
        case .topic: return .string(topic)
        case .partition: return .int(Int64(record.partition))
        case .offset: return .int(record.offset)
        case .key: return record.key.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null
        case .timestamp: return record.timestamp.map { .timestamp($0 * 1000) } ?? .null
        case .file, .line, .byteOffset: return .null
        }
    }

    private func readFile(
        _ range: PlannedFileRange, _ decoder: SourceDecoder, counts: inout SourceCounts,
        into rows: inout RowBuffer, deadLetters: inout [DeadLetter]
    ) -> BatchCommit.FileResult {
        let reader = LineReader(path: range.path, gzip: range.path.hasSuffix(".gz"), start: range.start, end: range.end,
                                firstLine: range.firstLine, maxRecordBytes: config.maxRecordBytes)
        var result = BatchCommit.FileResult(path: range.path, size: range.size, mtimeNanos: range.mtimeNanos, start: range.start,
                                            endOffset: range.start, linesTaken: range.firstLine - 1, complete: true)
        // A file holding one JSON array is read whole in its first range, element by element.
        let isArray = range.start == 0 && JSONArrayReader.isArrayFile(path: range.path, gzip: range.path.hasSuffix(".gz"))
        do {
            func handle(_ line: LineReader.Line) throws {
                counts.read += 1
                let origin = DeadLetter.Origin.file(path: range.path, line: line.number, byteOffset: line.offset)
                switch line.kind {
                case .oversize(let length):
                    counts.deadLettered += 1
                    deadLetters.append(DeadLetter(raw: Array(line.bytes), reason: "record of \(length) bytes is longer than max_record_bytes (\(config.maxRecordBytes)); only its first \(line.bytes.count) bytes are kept here", stage: .decode, origin: origin, length: length))
                case .damaged(let reason):
                    counts.deadLettered += 1
                    deadLetters.append(DeadLetter(raw: Array(line.bytes), reason: "unreadable rest of the file: \(reason)", stage: .decode, origin: origin))
                case .complete:
                    let failure = decoder.decode(line.bytes, metadata: { Self.fileMetadata($0, range.path, line) }, into: &rows)
                    if let failure {
                        counts.deadLettered += 1
                        deadLetters.append(DeadLetter(raw: Array(line.bytes), reason: failure.reason, stage: DeadLetter.Stage(failure.stage), origin: origin))
                    }
                }
            }
            if isArray {
                let summary = try JSONArrayReader(path: range.path, gzip: range.path.hasSuffix(".gz"), maxRecordBytes: config.maxRecordBytes).forEachElement(handle)
                result.endOffset = summary.endOffset
                result.linesTaken = summary.lines
                return result
            }
            let summary = try reader.forEachLine(handle)
            result.endOffset = max(range.start, summary.endOffset)
            result.linesTaken = range.firstLine - 1 + summary.lines
            // A split range is complete when it reached the end of the file.
            if let end = range.end { result.complete = summary.endOffset < end || (!range.path.hasSuffix(".gz") && summary.endOffset >= range.size) }
        } catch {
            // The file vanished or cannot be read: record that as a dead letter rather than
            // retrying a batch that can never succeed.
            counts.read += 1
            counts.deadLettered += 1
            deadLetters.append(DeadLetter(raw: [], reason: "cannot read the file: \(error)", stage: .decode, origin: .file(path: range.path, line: range.firstLine, byteOffset: range.start)))
            logger.error("cannot read \(range.path): \(error); recorded as a dead letter and moving on")
        }
        return result
    }

    private static func fileMetadata(_ kind: RecordMetadata, _ path: String, _ line: LineReader.Line) -> FieldValue {
        switch kind {
        case .origin: return .string("file")
        case .file: return .string(path)
        case .line: return .int(line.number)
        case .byteOffset: return .int(line.offset)
        case .topic, .partition, .offset, .key, .timestamp: return .null
        }
    }

    /// One file per source, written atomically and named by batch, so a re-run replaces it.
    private func writeDeadLetters(_ letters: [DeadLetter], plan: BatchPlan) throws -> [String] {
        guard !letters.isEmpty else { return [] }
        try AtomicFileWriter.makeFolder(config.deadLetterDir)
        var files: [String] = []
        for source in ["kafka", "files"] {
            let selected = letters.filter { $0.sourceName == source }
            guard !selected.isEmpty else { continue }
            var buffer: [UInt8] = []
            for letter in selected { letter.appendJSON(batch: plan.batch, time: plan.batchTime, to: &buffer) }
            let path = "\(config.deadLetterDir)/\(plan.batch)-\(source).jsonl"
            try AtomicFile.write(buffer, to: path, mode: 0o640)
            files.append(path)
        }
        return files
    }
}

extension DeadLetter.Stage {
    init(_ stage: DecodeFailure.Stage) {
        self = stage == .decode ? .decode : .schema
    }
}
