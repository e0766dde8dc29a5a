import Glibc
import Tributary

/// Planning cost against the size of the processed-files log.
enum BenchPlanning {
    struct Result: Sendable {
        var logEntries = 0
        var newFiles = 0
        /// `durations_ms.plan` of each trigger, milliseconds.
        var planMs: [Double] = []
        /// Opening the engine (loading the files log among the rest), milliseconds.
        var openMs = 0.0
        var median: Double {
            let sorted = planMs.sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }
    }

    /// In `root`: a checkpoint whose files log already holds `logEntries` complete files
    /// (written through `ProcessedFilesLog`'s public API, then compacted into its snapshot as
    /// the engine does every 10 000 entries), an input folder with `newFiles` new files of 10
    /// records, and a pipeline with `max_files_per_trigger = 1` and a 10 ms interval trigger.
    /// Runs `triggers` triggers and returns each one's planning time from its progress report.
    static func measure(root: String, logEntries: Int, newFiles: Int, triggers: Int, seed: UInt64) async throws -> Result {
        BenchSupport.remove(root)
        let incoming = root + "/incoming"
        try BenchSupport.makeFolder(incoming)
        var generator = BenchRecordGenerator(seed: seed)
        for index in 0..<newFiles {
            _ = try generator.writeFile("\(incoming)/new-\(String(100_000 + index).dropFirst()).jsonl", records: 10, date: "2025-11-23", hour: index % 24)
        }
        let log = try ProcessedFilesLog(directory: root + "/checkpoint/sources/files")
        let now = Int64(time(nil)) * 1_000_000_000
        var entries: [TakenFile] = []
        for index in 0..<logEntries {
            entries.append(TakenFile(path: "\(incoming)/old-\(index).jsonl", size: 1_500, mtimeNanos: now - Int64(logEntries - index) * 1_000_000_000,
                                     batch: Int64(index / 4), rangeStart: 0, rangeEnd: 1_500, complete: true, lines: 10))
            if entries.count == 10_000 {
                try log.append(entries)
                entries.removeAll(keepingCapacity: true)
            }
        }
        try log.append(entries)
        try log.compact()
        guard log.count == logEntries else { throw BenchError("the files log holds \(log.count) entries, expected \(logEntries)") }
        let config = try BenchPipeline.writeConfig(root: root, source: .files(path: incoming, maxFiles: 1, maxBytes: nil), trigger: "10ms")
        let run = try await BenchPipeline.run(configPath: config, stopAfter: triggers)
        guard run.reports.count >= triggers, run.read == run.reports.count * 10 else {
            throw BenchError("planning run: \(run.reports.count) batches read \(run.read) records, expected \(triggers) batches of 10")
        }
        var result = Result(logEntries: logEntries, newFiles: newFiles)
        result.planMs = run.reports.prefix(triggers).map { ($0.durations["plan"] ?? .zero).benchMilliseconds }
        result.openMs = run.open * 1000
        BenchSupport.remove(root)
        return result
    }
}

extension Duration {
    /// Milliseconds, fractional.
    var benchMilliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
