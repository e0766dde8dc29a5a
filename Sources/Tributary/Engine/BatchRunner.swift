import Foundation
import Kafka
import Logging
import Synchronization

/// Runs one planned batch: reads its Kafka ranges, file ranges and replayed dead letters as a
/// stream of chunks, has every core decode, transform and prepare them for the sinks while
/// reading goes on, writes the results to the sinks in read order, then finishes the sinks
/// and writes the batch's dead letters and dedupe state. It does not touch the commit: the
/// engine commits after it returns.
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
    let processor: ChunkProcessor
    let logger: Logger
    /// Told that the batch is moving (per chunk), for the watchdog.
    let monitor: EngineMonitor?
    /// Chunks read but not yet written, at most: bounds a batch's memory.
    let chunksInFlight = ProcessInfo.processInfo.activeProcessorCount + 2

    init(config: TributaryConfig, chain: TransformChain, kafka: KafkaSource?, sinks: [any BatchSink], dedupe: [DedupeState], logger: Logger, monitor: EngineMonitor? = nil) {
        self.monitor = monitor
        self.config = config
        self.chain = chain
        self.kafka = kafka
        self.sinks = sinks
        self.dedupe = dedupe
        self.logger = logger
        let catchAll = config.schema.catchAllField
        processor = ChunkProcessor(
            chain: chain, sinks: sinks,
            kafkaDecoder: config.kafka.map { SourceDecoder(columns: chain.columns, catchAllField: catchAll, mapping: $0.mapping, hidden: chain.metadataColumns) },
            fileDecoder: config.files.map { SourceDecoder(columns: chain.columns, catchAllField: catchAll, mapping: $0.mapping, hidden: chain.metadataColumns) },
            dedupe: dedupe, unrouted: config.unrouted)
    }

    func run(_ plan: BatchPlan) throws -> Outcome {
        var outcome = Outcome()
        let clock = ContinuousClock()
        let context = ExpressionContext(batchTimeMicros: TimestampFormat.parse(plan.batchTime) ?? 0)
        let batches = try sinks.map { try $0.open(batch: plan.batch) }
        var letters: [DeadLetter] = []
        var taken = [Int](repeating: 0, count: sinks.count)
        var writing = Duration.zero
        let processor = self.processor
        let processing = Mutex(Duration.zero)
        let pipeline = ChunkPipeline(
            ordered: !dedupe.isEmpty, limit: chunksInFlight,
            process: { chunk in
                let started = ContinuousClock.now
                let result = try processor.process(chunk, context: context)
                let elapsed = ContinuousClock.now - started
                processing.withLock { $0 += elapsed }
                return result
            },
            deliver: { result in
                let started = ContinuousClock.now
                for (index, batch) in batches.enumerated() {
                    try batch.write(result.parts[index])
                    taken[index] += result.taken[index]
                }
                outcome.counts[result.sourceName, default: SourceCounts()].add(result.counts)
                outcome.unrouted += result.unrouted
                letters += result.letters
                writing += ContinuousClock.now - started
            })
        let monitor = self.monitor
        let submit: (consuming RecordChunk) throws -> Void = { chunk in
            monitor?.heartbeat()
            // Moved on, not copied: a copy kept alive until this closure returns (as a debug
            // build keeps it) made a worker that finished first recycle shared buffers.
            try pipeline.submit(consume chunk)
        }
        var started = clock.now
        do {
            if let kafka, plan.kafka.contains(where: { $0.start < $0.end }) {
                try readKafka(plan, kafka, submit: submit)
            }
            if !plan.files.isEmpty {
                let reader = FileChunkReader(maxRecordBytes: config.maxRecordBytes, folder: config.files?.path, logger: logger)
                for range in plan.files { outcome.files.append(try reader.read(range, emit: submit)) }
            }
            if let inputs = plan.replay, !inputs.isEmpty {
                try readReplay(inputs, submit: submit)
            }
        } catch {
            // Reading stopped: let the chunks in flight drain before reporting, so no worker
            // outlives the batch.
            try? pipeline.finish()
            throw error
        }
        try pipeline.finish()
        // `read` is the wall time of reading, decoding, transforming and writing the chunks;
        // `transform` (the workers decoding, transforming and serializing, summed over cores)
        // and `write` (the sinks taking each chunk's output) happen during it. `sink`, after
        // it, is finishing the outputs.
        outcome.durations["read"] = clock.now - started
        outcome.durations["transform"] = processing.withLock { $0 }
        outcome.durations["write"] = writing
        started = clock.now
        for (index, batch) in batches.enumerated() {
            try batch.finish()
            outcome.sinkCounts[sinks[index].name] = taken[index]
        }
        TestHooks.pause()
        outcome.deadLetterFiles = try writeDeadLetters(letters, plan: plan)
        for state in dedupe { try state.writeDelta(batch: plan.batch, time: context.batchTimeMicros) }
        outcome.durations["sink"] = clock.now - started
        return outcome
    }

    private func readKafka(_ plan: BatchPlan, _ kafka: KafkaSource, submit: (consuming RecordChunk) throws -> Void) throws {
        // One chunk under way per partition, handed on when full or when its partition has
        // nothing more ready (below); the rest in partition order at the end.
        var chunks: [TopicPartition: RecordChunk] = [:]
        let limit = config.maxRecordBytes
        // librdkafka's per-message timestamp call is made only when the mapping or a
        // transform reads `@timestamp`.
        let readsTimestamps = processor.kafkaDecoder?.fills(.timestamp) ?? false
        try kafka.reader.read(plan.kafka.map(\.range), timeout: kafka.config.readTimeout) { records in
            let partition = records.topicPartition
            var chunk = chunks.removeValue(forKey: partition) ?? RecordChunk(source: .kafka(partition))
            for record in records {
                let value = record.value
                guard let value, value.count <= limit else {
                    // Built only for a record that fails: copying the key per record would cost an
                    // allocation on the hot path.
                    let origin = DeadLetter.Origin.kafka(topic: partition.topic, partition: record.partition, offset: record.offset, key: record.key.map { Array($0) })
                    chunk.read += 1
                    if let value = record.value {
                        chunk.letters.append(DeadLetter(raw: Array(value.prefix(256)), reason: "record of \(value.count) bytes is longer than max_record_bytes (\(limit)); only its first 256 bytes are kept here", stage: .decode, origin: origin, length: Int64(value.count)))
                    } else {
                        chunk.letters.append(DeadLetter(raw: [], reason: "record has a null value (a tombstone), not a JSON object", stage: .decode, origin: origin))
                    }
                    continue
                }
                let timestamp = readsTimestamps ? record.timestamp ?? Int64.min : Int64.min
                chunk.append(value, key: record.key, position: record.offset, extra: timestamp)
                if chunk.isFull { try submit(chunk.handOff()) }
            }
            // Caught up with what librdkafka has fetched (a batch that starts on an empty
            // prefetch gets a few hundred records per fetch): the workers take what is here
            // now rather than wait idle until the chunk fills.
            if records.isCaughtUp && chunk.entries.count >= RecordChunk.minimumPartialRecords {
                try submit(chunk.handOff())
            }
            chunks[partition] = chunk
        }
        // Taken out of the dictionary, so the worker holds each chunk's only copy when done.
        for partition in chunks.keys.sorted() {
            if let chunk = chunks.removeValue(forKey: partition), !chunk.isEmpty { try submit(consume chunk) }
        }
    }

    /// Reads replayed dead letters (a replay batch's input, kept in the checkpoint) into one
    /// chunk, decoded with their source's decoder; a record that fails again becomes a new
    /// dead letter.
    private func readReplay(_ inputs: [String], submit: (consuming RecordChunk) throws -> Void) throws {
        var entries: [DeadLetterEntry] = []
        var refused: [DeadLetter] = []
        for input in inputs {
            let (parsed, problems) = DeadLetterReader.parse(try AtomicFile.read("\(config.checkpointDir)/\(input)"), file: input)
            for problem in problems { logger.warning("replay input \(problem)") }
            for entry in parsed {
                guard entry.isTruncated else {
                    entries.append(entry)
                    continue
                }
                var letter = entry.deadLetter
                letter.reason = "cannot replay: only the first bytes of this record were kept; fix it at its origin and feed it in again"
                refused.append(letter)
            }
        }
        let letters = entries.map(\.deadLetter)
        var chunk = RecordChunk(source: .replay(letters: letters, sources: entries.map(\.source)))
        for letter in letters {
            letter.raw.withUnsafeBytes { chunk.append($0, position: 0, extra: 0) }
        }
        chunk.letters = refused
        chunk.read += refused.count
        if !chunk.isEmpty { try submit(chunk.handOff()) }
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

extension SourceCounts {
    /// Adds another part's counts.
    mutating func add(_ other: SourceCounts) {
        read += other.read
        written += other.written
        filtered += other.filtered
        deadLettered += other.deadLettered
    }
}
