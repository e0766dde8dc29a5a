import Glibc
import Kafka

extension MicroBatchEngine {
    /// What a replay did.
    public struct ReplayResult: Sendable {
        public var batch: Int64
        public var replayed: Int
        public var written: Int
        public var deadLetteredAgain: Int
        public var filtered: Int
    }

    /// Feeds `entries` (dead letters, their `raw` possibly fixed) back through decoding, the
    /// transforms and the sinks as one new batch. Their input is written to the checkpoint
    /// first (`replay/<N>.jsonl`) so an interrupted replay runs again identically; once the
    /// batch commits, the entries move from their dead-letter files to `replayed/`. Records
    /// that fail again become new dead letters of the replay batch.
    public func replay(_ entries: [DeadLetterEntry], note: String) throws -> ReplayResult? {
        _ = try recover()
        guard !entries.isEmpty else { return nil }
        let batch = nextBatch
        var input: [UInt8] = []
        for entry in entries { entry.deadLetter.appendJSON(batch: entry.batch, time: entry.time, to: &input) }
        try AtomicFileWriter.makeFolder(config.checkpointDir + "/replay", mode: 0o700)
        let relative = "replay/\(batch).jsonl"
        try AtomicFile.write(input, to: "\(config.checkpointDir)/\(relative)", mode: 0o600)
        let plan = BatchPlan(batch: batch, batchTime: TimestampFormat.format(Self.nowMicros()), kafka: standingRanges(), files: [],
                             dataLoss: [], note: note, replay: [relative])
        guard try executeRetrying(plan, planDuration: .zero, shouldStop: { false }) else { return nil }
        let counts = lastProgress?.counts["replay"] ?? SourceCounts()
        return ReplayResult(batch: batch, replayed: entries.count, written: counts.written, deadLetteredAgain: counts.deadLettered, filtered: counts.filtered)
    }

    /// Moves the dead letters a committed replay batch took from their files to `replayed/`.
    /// Safe to repeat: entries are matched by origin and original batch.
    func retireReplayed(_ plan: BatchPlan) throws {
        guard let inputs = plan.replay, !inputs.isEmpty else { return }
        var taken = Set<String>()
        for input in inputs {
            let (entries, _) = DeadLetterReader.parse(try AtomicFile.read("\(config.checkpointDir)/\(input)"), file: input)
            for entry in entries { taken.insert(entry.identity) }
        }
        let retired = config.deadLetterDir + "/replayed"
        try AtomicFileWriter.makeFolder(retired, mode: config.folderMode)
        for file in try DeadLetterReader.files(in: config.deadLetterDir) {
            let bytes = try AtomicFile.read(file)
            let (entries, _) = DeadLetterReader.parse(bytes, file: file)
            guard entries.contains(where: { taken.contains($0.identity) }) else { continue }
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            var keep: [UInt8] = []
            var moved: [UInt8] = []
            let byLine = Dictionary(entries.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
            for (index, line) in lines.enumerated() where !line.isEmpty {
                if let entry = byLine[index + 1], taken.contains(entry.identity) {
                    moved += line + [UInt8(ascii: "\n")]
                } else {
                    keep += line + [UInt8(ascii: "\n")]
                }
            }
            let name = String(file.split(separator: "/").last ?? "")
            let target = "\(retired)/\(name)"
            // Append to what earlier replays retired from the same file, once per entry.
            var existing = (try? AtomicFile.read(target)) ?? []
            let already = Set(DeadLetterReader.parse(existing, file: target).entries.map(\.identity))
            for line in moved.split(separator: UInt8(ascii: "\n")) {
                let (parsed, _) = DeadLetterReader.parse(Array(line), file: target)
                if let entry = parsed.first, already.contains(entry.identity) { continue }
                existing += line + [UInt8(ascii: "\n")]
            }
            try AtomicFile.write(existing, to: target, mode: config.fileMode)
            if keep.isEmpty {
                unlink(file)
            } else {
                try AtomicFile.write(keep, to: file, mode: config.fileMode)
            }
        }
    }

    /// Moves every Kafka partition's position, as a batch of its own that reads nothing:
    /// `offsets` per partition (-2 earliest, -1 latest), or every partition to earliest. Runs
    /// only while no other process holds the checkpoint (this engine holds its lock).
    public func reset(to offsets: [String: [Int32: Int64]]?) throws -> BatchPlan {
        _ = try recover()
        guard let kafka else {
            throw KafkaError(code: .invalidArgument, message: "the configuration has no [source.kafka]: there are no offsets to reset", hint: "Remove the files log entries by hand to re-read files")
        }
        let (partitions, marks) = try kafka.partitionsAndWatermarks()
        var ranges: [BatchPlan.KafkaRange] = []
        for partition in partitions.sorted() {
            let mark = marks[partition]!
            let wanted = offsets == nil ? -2 : (offsets?[partition.topic]?[partition.partition] ?? committedKafka[partition] ?? -2)
            let offset = wanted == -2 ? mark.low : wanted == -1 ? mark.high : wanted
            ranges.append(BatchPlan.KafkaRange(topic: partition.topic, partition: partition.partition, start: offset, end: offset))
        }
        let described = ranges.map { "\($0.topic)[\($0.partition)]=\($0.start)" }.joined(separator: " ")
        let plan = BatchPlan(batch: nextBatch, batchTime: TimestampFormat.format(Self.nowMicros()), kafka: ranges, files: [],
                             dataLoss: [], note: "checkpoint reset: \(described)")
        try execute(plan, planDuration: .zero)
        return plan
    }

    /// Each partition where it stands: empty ranges at the committed offsets.
    func standingRanges() -> [BatchPlan.KafkaRange] {
        committedKafka.keys.sorted().map { BatchPlan.KafkaRange(topic: $0.topic, partition: $0.partition, start: committedKafka[$0]!, end: committedKafka[$0]!) }
    }
}

extension DeadLetterEntry {
    /// The entry as the engine's dead-letter value (its raw bytes and origin).
    var deadLetter: DeadLetter {
        let origin: DeadLetter.Origin
        switch source {
        case let .kafka(topic, partition, offset, key): origin = .kafka(topic: topic, partition: partition, offset: offset, key: key.map { Array($0.utf8) })
        case let .file(path, line, byteOffset): origin = .file(path: path, line: line, byteOffset: byteOffset)
        }
        return DeadLetter(raw: rawBytes, reason: reason, stage: DeadLetter.Stage(rawValue: stage) ?? .decode, origin: origin, length: length)
    }

    /// What identifies a dead letter across files: its original batch and origin.
    var identity: String {
        switch source {
        case let .kafka(topic, partition, offset, _): return "\(batch)|kafka|\(topic)|\(partition)|\(offset)"
        case let .file(path, _, byteOffset): return "\(batch)|file|\(path)|\(byteOffset)"
        }
    }
}
