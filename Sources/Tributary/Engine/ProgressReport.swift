public import Kafka

/// The report of one batch, in the spirit of Spark's StreamingQueryProgress: logged as one
/// JSON line and kept as `checkpoint/progress/<N>`.
public struct ProgressReport: Sendable {
    public let plan: BatchPlan
    public let counts: [String: SourceCounts]
    public let files: [BatchCommit.FileResult]
    /// Each phase's time (`phases`), keyed by phase name.
    public let durations: [String: Duration]
    public let deadLetterFiles: [String]
    /// Records no sink took.
    public let unrouted: Int
    /// Records written, per sink.
    public let sinkCounts: [String: Int]
    /// Each partition's high watermark when the batch was planned.
    public let latestOffsets: [TopicPartition: Int64]

    init(plan: BatchPlan, outcome: BatchRunner.Outcome, durations: [String: Duration], latestOffsets: [TopicPartition: Int64]) {
        self.plan = plan
        self.counts = outcome.counts
        self.files = outcome.files
        self.durations = durations
        self.deadLetterFiles = outcome.deadLetterFiles
        self.latestOffsets = latestOffsets
        self.unrouted = outcome.unrouted
        self.sinkCounts = outcome.sinkCounts
    }

    /// The phases of a batch in the order the engine measures them. `plan`, `write_ahead`,
    /// `read`, `sink` and `commit` follow one another; `transform` (the workers' time, summed
    /// over cores) and `write` (the sinks taking the chunks' output) happen during `read`;
    /// `total` is the batch's wall time from planning to commit, all of them included.
    public static let phases = ["plan", "write_ahead", "read", "transform", "write", "sink", "commit", "total"]

    /// The phases that follow one another, so that they add up to a batch's time.
    public static let sequentialPhases = ["plan", "write_ahead", "read", "sink", "commit"]

    /// The batch's wall time from planning to commit: `total`, or for a report made without
    /// it, the phases that follow one another added up. Never the overlapping ones.
    public var wall: Duration {
        durations["total"] ?? Self.sequentialPhases.reduce(.zero) { $0 + (durations[$1] ?? .zero) }
    }

    /// Offsets still to read after this batch, over all partitions (0 when unknown).
    public var lag: Int64 {
        plan.kafka.reduce(0) { total, range in
            total + max(0, (latestOffsets[TopicPartition(range.topic, range.partition)] ?? range.end) - range.end)
        }
    }

    /// Totals over all sources.
    public var total: SourceCounts {
        counts.values.reduce(into: SourceCounts()) { total, counts in
            total.read += counts.read
            total.written += counts.written
            total.filtered += counts.filtered
            total.deadLettered += counts.deadLettered
        }
    }

    /// The report as one JSON line (with its newline).
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        func add(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        func quoted(_ text: String) { JSONLineWriter.appendQuoted(text, to: &out) }
        func counts(_ value: SourceCounts) -> String {
            "\"rows_read\":\(value.read),\"rows_written\":\(value.written),\"rows_filtered\":\(value.filtered),\"rows_dead_lettered\":\(value.deadLettered)"
        }
        add("{\"batch\":\(plan.batch),\"batch_time\":")
        quoted(plan.batchTime)
        add(",\(counts(total)),\"unrouted\":\(unrouted),\"sinks\":{")
        for (index, name) in sinkCounts.keys.sorted().enumerated() {
            if index > 0 { add(",") }
            quoted(name)
            add(":\(sinkCounts[name]!)")
        }
        add("},\"sources\":{")
        var first = true
        if let kafka = self.counts["kafka"] ?? (plan.kafka.isEmpty ? nil : SourceCounts()) {
            first = false
            add("\"kafka\":{\(counts(kafka)),\"ranges\":[")
            for (index, range) in plan.kafka.enumerated() {
                if index > 0 { add(",") }
                add("{\"topic\":")
                quoted(range.topic)
                add(",\"partition\":\(range.partition),\"start\":\(range.start),\"end\":\(range.end)")
                if let latest = latestOffsets[TopicPartition(range.topic, range.partition)] { add(",\"latest\":\(latest)") }
                add("}")
            }
            add("],\"lag\":\(lag),\"data_loss\":\(plan.dataLoss.count)}")
        }
        if let fileCounts = self.counts["files"] {
            if !first { add(",") }
            add("\"files\":{\(counts(fileCounts)),\"files\":[")
            for (index, file) in files.enumerated() {
                if index > 0 { add(",") }
                add("{\"path\":")
                quoted(file.path)
                add(",\"start\":\(file.start),\"end_offset\":\(file.endOffset),\"bytes\":\(file.endOffset - file.start),\"complete\":\(file.complete)}")
            }
            add("]}")
            first = false
        }
        if let replayed = self.counts["replay"] {
            if !first { add(",") }
            add("\"replay\":{\(counts(replayed)),\"dead_letter_files\":\((plan.replay ?? []).count)}")
        }
        add("},\"durations_ms\":{")
        for (index, key) in Self.phases.enumerated() {
            if index > 0 { add(",") }
            // Milliseconds with microsecond precision: small batches take well under 1 ms.
            let (seconds, attoseconds) = (durations[key] ?? .zero).components
            let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
            add("\"\(key)\":\(micros / 1000).\(String(micros % 1000 + 1000).dropFirst())")
        }
        add("}}\n")
        return out
    }
}
