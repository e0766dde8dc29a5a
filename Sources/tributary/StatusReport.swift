import Foundation
import Kafka
import Tributary

/// The output of `tributary checkpoint status`, as text or as one JSON object.
struct StatusReport {
    let status: CheckpointStatus
    let lag: CheckpointStatusCommand.Lag
    /// Input files not taken completely, when the configuration was given.
    let pending: [FileCandidate]?
    let inputFolder: String?
    let notes: [String]
    let secrets: Set<String>

    /// How many pending files the text lists before summing up the rest.
    static let shownPending = 20

    // MARK: - Text

    func text() -> String {
        var lines: [String] = []
        lines.append("checkpoint \(status.directory) (id \(status.metadata.id), format \(status.metadata.version))")
        if let last = status.lastCommitted {
            lines.append("last committed batch: \(last.commit.batch), committed at \(last.commit.committedAt)"
                + (last.plan.note.map { " (\($0))" } ?? ""))
        } else {
            lines.append("last committed batch: none yet")
        }
        if let plan = status.inFlight {
            let kafkaRanges = plan.kafka.filter { $0.start < $0.end }.count
            lines.append("batch in flight: \(plan.batch), planned for \(plan.batchTime) (\(plan.files.count) file range\(plan.files.count == 1 ? "" : "s"), "
                + "\(kafkaRanges) Kafka range\(kafkaRanges == 1 ? "" : "s") to read); "
                + "offsets/\(plan.batch) without commits/\(plan.batch): running now, or run again at the next start"
                + (plan.note.map { " (\($0))" } ?? ""))
        } else {
            lines.append("batch in flight: none")
        }
        lines += kafkaText()
        lines += filesText()
        lines += progressText()
        if !notes.isEmpty {
            lines.append("")
            lines.append("notes:")
            lines += notes.map { "  - \(masked($0))" }
        }
        return lines.joined(separator: "\n")
    }

    private func kafkaText() -> [String] {
        let offsets = status.committedOffsets
        guard !offsets.isEmpty else {
            if case .notAsked(let why) = lag, why == "no Kafka offsets committed yet" { return ["", "kafka: no offsets committed yet"] }
            return []
        }
        var lines = ["", "kafka offsets committed by batch \(status.lastCommitted?.commit.batch ?? 0):"]
        var table = TextTable(["TOPIC", "PARTITION", "COMMITTED", "HIGH WATERMARK", "LAG"], rightAligned: [1, 2, 3, 4])
        var total: Int64 = 0
        for range in offsets {
            var row = [range.topic, String(range.partition), String(range.end)]
            if case .watermarks(let marks) = lag, let mark = marks[TopicPartition(range.topic, range.partition)] {
                let behind = max(0, mark.high - range.end)
                total += behind
                row += [String(mark.high), String(behind)]
            } else {
                row += ["-", "-"]
            }
            table.add(row)
        }
        lines.append(table.render())
        switch lag {
        case .watermarks: lines.append("lag: \(total) offset\(total == 1 ? "" : "s") behind the high watermarks")
        case .unreachable(let why): lines.append("lag: broker not reachable (\(masked(why))); the committed offsets above are from the checkpoint")
        case .notAsked(let why): lines.append("lag: not known (\(why))")
        }
        return lines
    }

    private func filesText() -> [String] {
        var lines: [String] = []
        if let log = status.filesLog {
            let inProgress = log.inProgress
            lines += ["", "files taken: \(log.complete.count) complete, \(inProgress.count) in progress (split across batches)"]
            if !inProgress.isEmpty {
                var table = TextTable(["IN PROGRESS", "BYTES TAKEN", "SIZE", "LINES", "LAST BATCH"], rightAligned: [1, 2, 3, 4])
                for (path, state) in inProgress {
                    table.add([path, String(state.bytesTaken), String(state.size), String(state.lines), String(state.batch)])
                }
                lines.append(table.render())
            }
        }
        if let pending, let inputFolder {
            lines += ["", "files pending in \(inputFolder): \(pending.count)"]
            if !pending.isEmpty {
                var table = TextTable(["FILE", "SIZE", "MODIFIED"], rightAligned: [1])
                for file in pending.prefix(Self.shownPending) {
                    table.add([file.name, String(file.size), TimestampFormat.format(file.mtimeNanos / 1000)])
                }
                lines.append(table.render())
                if pending.count > Self.shownPending { lines.append("  … and \(pending.count - Self.shownPending) more (--json lists all)") }
            }
        }
        return lines
    }

    private func progressText() -> [String] {
        guard let progress = status.progress else { return [] }
        var lines = ["", "last progress report: batch \(progress.batch)" + (progress.batchTime.map { " (batch time \($0))" } ?? "")]
        var table = TextTable(["SOURCE", "READ", "WRITTEN", "FILTERED", "DEAD-LETTERED"], rightAligned: [1, 2, 3, 4])
        func add(_ name: String, _ rows: ProgressSummary.Rows) {
            table.add([name, String(rows.read), String(rows.written), String(rows.filtered), String(rows.deadLettered)])
        }
        for (name, rows) in progress.sources { add(name, rows) }
        add("total", progress.total)
        lines.append(table.render())
        if let lag = progress.kafkaLag { lines.append("  kafka lag when planned: \(lag)") }
        if !progress.durationsMs.isEmpty {
            lines.append("  durations (ms): " + progress.durationsMs.map { "\($0.phase) \(String(format: "%.3f", $0.milliseconds))" }.joined(separator: ", "))
        }
        return lines
    }

    // MARK: - JSON

    func json() -> [String: Any] {
        var object: [String: Any] = [
            "checkpoint": status.directory,
            "id": status.metadata.id,
            "version": status.metadata.version,
            "notes": notes.map(masked),
        ]
        if let last = status.lastCommitted {
            object["last_committed"] = ConsoleOutput.jsonObject(last.commit)
        } else {
            object["last_committed"] = NSNull()
        }
        object["in_flight"] = status.inFlight.map(ConsoleOutput.jsonObject) ?? NSNull()
        object["kafka"] = kafkaJSON()
        if let log = status.filesLog {
            var files: [String: Any] = [
                "taken": log.complete.count,
                "in_progress": log.inProgress.map { path, state in
                    ["path": path, "size": state.size, "bytes_taken": state.bytesTaken, "lines": state.lines, "batch": state.batch] as [String: Any]
                },
            ]
            if let pending {
                files["pending"] = pending.map { ["path": $0.path, "size": $0.size, "mtime_ns": $0.mtimeNanos] as [String: Any] }
            }
            object["files"] = files
        } else if let pending {
            object["files"] = ["taken": 0, "in_progress": [Any](), "pending": pending.map { ["path": $0.path, "size": $0.size, "mtime_ns": $0.mtimeNanos] as [String: Any] }] as [String: Any]
        }
        if let progress = status.progress, let report = try? JSONSerialization.jsonObject(with: Data(progress.json)) {
            object["progress"] = report
        } else {
            object["progress"] = NSNull()
        }
        return object
    }

    private func kafkaJSON() -> Any {
        if status.committedOffsets.isEmpty, case .notAsked = lag { return NSNull() }
        var partitions: [[String: Any]] = []
        var total: Int64 = 0
        for range in status.committedOffsets {
            var entry: [String: Any] = ["topic": range.topic, "partition": range.partition, "committed": range.end]
            if case .watermarks(let marks) = lag, let mark = marks[TopicPartition(range.topic, range.partition)] {
                entry["low_watermark"] = mark.low
                entry["high_watermark"] = mark.high
                entry["lag"] = max(0, mark.high - range.end)
                total += max(0, mark.high - range.end)
            }
            partitions.append(entry)
        }
        var object: [String: Any] = ["partitions": partitions]
        switch lag {
        case .watermarks: object["lag"] = total
        case .unreachable(let why): object["lag_error"] = "broker not reachable: \(masked(why))"
        case .notAsked(let why): object["lag_error"] = "not asked: \(why)"
        }
        return object
    }

    /// `text` with any secret value of the configuration replaced by ***.
    private func masked(_ text: String) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
