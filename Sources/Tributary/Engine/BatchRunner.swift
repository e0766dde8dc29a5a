import Kafka
import Logging

/// Runs one planned batch: reads its Kafka ranges and file ranges, decodes them into rows
/// (bad records become dead letters), runs the transform chain, routes the rows to the sinks
/// and writes them, then writes the batch's dead letters and dedupe state. It does not touch
/// the commit: the engine commits after it returns.
final class BatchRunner {
    /// What a run produced.
    struct Outcome {
        var counts: [String: SourceCounts] = [:]
        var files: [BatchCommit.FileResult] = []
        var durations: [String: Duration] = [:]
        var deadLetterFiles: [String] = []
        /// Records no sink took.
        var unrouted = 0
        /// Records written, per sink name.
        var sinkCounts: [String: Int] = [:]
    }

    let config: TributaryConfig
    // Declared before `kafka` so the sinks (a Kafka sink's producer may talk to the source's
    // embedded broker) are released before the source and its broker.
    let sinks: [any BatchSink]
    let kafka: KafkaSource?
    let chain: TransformChain
    let dedupe: [DedupeState]
    let kafkaDecoder: SourceDecoder?
    let fileDecoder: SourceDecoder?
    let logger: Logger
    /// Told that the batch is moving (per Kafka chunk and file range), for the watchdog.
    let monitor: EngineMonitor?

    init(config: TributaryConfig, chain: TransformChain, kafka: KafkaSource?, sinks: [any BatchSink], dedupe: [DedupeState], logger: Logger, monitor: EngineMonitor? = nil) {
        self.monitor = monitor
        self.config = config
        self.chain = chain
        self.kafka = kafka
        self.sinks = sinks
        self.dedupe = dedupe
        self.logger = logger
        let catchAll = config.schema.catchAllField
        kafkaDecoder = config.kafka.map { SourceDecoder(columns: chain.columns, catchAllField: catchAll, mapping: $0.mapping, hidden: chain.metadataColumns) }
        fileDecoder = config.files.map { SourceDecoder(columns: chain.columns, catchAllField: catchAll, mapping: $0.mapping, hidden: chain.metadataColumns) }
    }

    func run(_ plan: BatchPlan) throws -> Outcome {
        var outcome = Outcome()
        let clock = ContinuousClock()
        var batch = BatchRows(width: chain.columns.count)
        var letters: [DeadLetter] = []
        var started = clock.now
        if let kafka, let kafkaDecoder, plan.kafka.contains(where: { $0.start < $0.end }) {
            outcome.counts["kafka"] = try readKafka(plan, kafka, kafkaDecoder, into: &batch, deadLetters: &letters)
        }
        if let fileDecoder, !plan.files.isEmpty {
            // Each range is decoded on a core of its own, then joined in plan order.
            let monitor = self.monitor
            let parts = ParallelFileReading(reader: FileRangeReader(config: config, decoder: fileDecoder, logger: logger))
                .read(plan.files, width: batch.rows.width) { monitor?.heartbeat() }
            var counts = SourceCounts()
            for part in parts {
                batch.append(part: part.rows)
                counts.read += part.counts.read
                counts.deadLettered += part.counts.deadLettered
                letters += part.deadLetters
                if let result = part.result { outcome.files.append(result) }
            }
            outcome.counts["files"] = counts
        }
        if let inputs = plan.replay, !inputs.isEmpty {
            outcome.counts["replay"] = try readReplay(inputs, into: &batch, deadLetters: &letters)
        }
        outcome.durations["read"] = clock.now - started

        started = clock.now
        let time = TimestampFormat.parse(plan.batchTime) ?? 0
        let context = ExpressionContext(batchTimeMicros: time)
        let transformed = chain.apply(to: &batch.rows, context: context, dedupe: dedupe, batchTimeMicros: time)
        for row in transformed.filtered { outcome.counts[batch.origins[row].sourceName, default: SourceCounts()].filtered += 1 }
        var failures = transformed.failures.map { (row: $0.row, stage: DeadLetter.Stage.transform, reason: "\($0.location): \($0.message)") }
        let selections = route(transformed.selection, batch: batch, context: context, outcome: &outcome, failures: &failures)
        letters += OriginalRecords(batch: batch, kafka: kafka, config: config).deadLetters(for: failures)
        for failure in failures { outcome.counts[batch.origins[failure.row].sourceName, default: SourceCounts()].deadLettered += 1 }
        outcome.durations["transform"] = clock.now - started

        started = clock.now
        for (index, sink) in sinks.enumerated() {
            try sink.write(batch: plan.batch, rows: batch.rows, selection: selections[index], origins: batch.origins)
            outcome.sinkCounts[sink.name] = selections[index].count
        }
        TestHooks.pause()
        outcome.deadLetterFiles = try writeDeadLetters(letters, plan: plan)
        for state in dedupe { try state.writeDelta(batch: plan.batch, time: time) }
        outcome.durations["sink"] = clock.now - started
        return outcome
    }

    /// Picks, per sink, the rows its `when` takes; counts rows written; handles rows no sink
    /// takes (`unrouted`) and rows whose `when` cannot be evaluated.
    private func route(
        _ selection: [Int], batch: BatchRows, context: ExpressionContext,
        outcome: inout Outcome, failures: inout [(row: Int, stage: DeadLetter.Stage, reason: String)]
    ) -> [[Int]] {
        var selections = [[Int]](repeating: [], count: sinks.count)
        for row in selection {
            var taken = false
            var failure: String?
            for (index, route) in chain.routes.enumerated() {
                guard let route else {
                    selections[index].append(row)
                    taken = true
                    continue
                }
                do throws(ExpressionRuntimeError) {
                    if try route.evaluate(batch.rows[row], context) == .bool(true) {
                        selections[index].append(row)
                        taken = true
                    }
                } catch {
                    failure = "sink[\(index)] (\(sinks[index].name)).when: \(error.message)"
                }
            }
            let source = batch.origins[row].sourceName
            if taken {
                outcome.counts[source, default: SourceCounts()].written += 1
            } else if let failure {
                failures.append((row, .sink, failure))
            } else if config.unrouted == .deadLetter {
                outcome.unrouted += 1
                failures.append((row, .sink, "no sink's `when` takes this record (unrouted = \"dead-letter\")"))
            } else {
                outcome.unrouted += 1
                outcome.counts[source, default: SourceCounts()].filtered += 1
            }
        }
        return selections
    }

    private func readKafka(
        _ plan: BatchPlan, _ kafka: KafkaSource, _ decoder: SourceDecoder,
        into batch: inout BatchRows, deadLetters: inout [DeadLetter]
    ) throws -> SourceCounts {
        var counts = SourceCounts()
        // Per-partition buffers, joined in partition order, so a re-run produces the same rows
        // in the same order whatever order the broker answered in.
        var byPartition: [TopicPartition: (rows: RowBuffer, offsets: [Int64], letters: [DeadLetter])] = [:]
        let width = batch.rows.width
        let limit = config.maxRecordBytes
        try kafka.reader.read(plan.kafka.map(\.range), timeout: kafka.config.readTimeout) { records in
            monitor?.heartbeat()
            var part = byPartition[records.topicPartition] ?? (RowBuffer(width: width), [], [])
            let topic = records.topicPartition.topic
            for record in records {
                counts.read += 1
                // Built only for a record that fails: copying the key per record would cost an
                // allocation on the hot path.
                var origin: DeadLetter.Origin {
                    .kafka(topic: topic, partition: record.partition, offset: record.offset, key: record.key.map { Array($0) })
                }
                guard let value = record.value else {
                    counts.deadLettered += 1
                    part.letters.append(DeadLetter(raw: [], reason: "record has a null value (a tombstone), not a JSON object", stage: .decode, origin: origin))
                    continue
                }
                if value.count > limit {
                    counts.deadLettered += 1
                    part.letters.append(DeadLetter(raw: Array(value.prefix(256)), reason: "record of \(value.count) bytes is longer than max_record_bytes (\(limit)); only its first 256 bytes are kept here", stage: .decode, origin: origin, length: Int64(value.count)))
                    continue
                }
                if let failure = decoder.decode(value, metadata: { Self.kafkaMetadata($0, record, topic) }, into: &part.rows) {
                    counts.deadLettered += 1
                    part.letters.append(DeadLetter(raw: Array(value), reason: failure.reason, stage: DeadLetter.Stage(failure.stage), origin: origin))
                } else {
                    part.offsets.append(record.offset)
                }
            }
            byPartition[records.topicPartition] = part
        }
        for partition in byPartition.keys.sorted() {
            let part = byPartition[partition]!
            let index = Int32(batch.partitions.count)
            batch.partitions.append(partition)
            batch.rows.append(contentsOf: part.rows)
            batch.origins += part.offsets.map { .kafka(partition: index, offset: $0) }
            deadLetters += part.letters
        }
        return counts
    }

    /// Decodes replayed dead letters (a replay batch's input, kept in the checkpoint) with
    /// their source's decoder; a record that fails again becomes a new dead letter.
    private func readReplay(_ inputs: [String], into batch: inout BatchRows, deadLetters: inout [DeadLetter]) throws -> SourceCounts {
        var counts = SourceCounts()
        for input in inputs {
            let (entries, problems) = DeadLetterReader.parse(try AtomicFile.read("\(config.checkpointDir)/\(input)"), file: input)
            for problem in problems { logger.warning("replay input \(problem)") }
            for entry in entries {
                counts.read += 1
                var letter = entry.deadLetter
                let decoder = entry.source.type == "kafka" ? kafkaDecoder : fileDecoder
                guard let decoder, !entry.isTruncated else {
                    counts.deadLettered += 1
                    letter.reason = decoder == nil
                        ? "cannot replay: the configuration has no \(entry.source.type == "kafka" ? "[source.kafka]" : "[source.files]") to decode it"
                        : "cannot replay: only the first bytes of this record were kept; fix it at its origin and feed it in again"
                    deadLetters.append(letter)
                    continue
                }
                let failure = letter.raw.withUnsafeBytes { raw in
                    decoder.decode(raw, metadata: { Self.replayMetadata($0, entry.source) }, into: &batch.rows)
                }
                if let failure {
                    counts.deadLettered += 1
                    letter.reason = failure.reason
                    letter.stage = DeadLetter.Stage(failure.stage)
                    deadLetters.append(letter)
                } else {
                    batch.origins.append(.replay(entry: Int32(batch.replayed.count)))
                    batch.replayed.append(letter)
                }
            }
        }
        return counts
    }

    static func replayMetadata(_ kind: RecordMetadata, _ source: DeadLetterEntry.Source) -> FieldValue {
        switch (kind, source) {
        case (.origin, .kafka): return .string("kafka")
        case (.origin, .file): return .string("file")
        case let (.topic, .kafka(topic, _, _, _)): return .string(topic)
        case let (.partition, .kafka(_, partition, _, _)): return .int(Int64(partition))
        case let (.offset, .kafka(_, _, offset, _)): return .int(offset)
        case let (.key, .kafka(_, _, _, key)): return key.map { .string($0) } ?? .null
        case let (.file, .file(path, _, _)): return .string(path)
        case let (.line, .file(_, line, _)): return .int(line)
        case let (.byteOffset, .file(_, _, offset)): return .int(offset)
        default: return .null
        }
    }

    static func kafkaMetadata(_ kind: RecordMetadata, _ record: KafkaRecordView, _ topic: String) -> FieldValue {
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

    /// One file per source, written atomically and named by batch, so a re-run replaces it.
    private func writeDeadLetters(_ letters: [DeadLetter], plan: BatchPlan) throws -> [String] {
        guard !letters.isEmpty else { return [] }
        try AtomicFileWriter.makeFolder(config.deadLetterDir, mode: config.folderMode)
        var files: [String] = []
        for source in ["kafka", "files", "replay"] {
            let selected = letters.filter { $0.sourceName == source }
            guard !selected.isEmpty else { continue }
            var buffer: [UInt8] = []
            for letter in selected { letter.appendJSON(batch: plan.batch, time: plan.batchTime, to: &buffer) }
            let path = "\(config.deadLetterDir)/\(plan.batch)-\(source).jsonl"
            try AtomicFile.write(buffer, to: path, mode: config.fileMode)
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
