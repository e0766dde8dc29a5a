import Foundation
import Logging
import Synchronization
import Tributary

/// The benchmark's pipeline: one configuration text (schema, transforms, file sink) with a
/// file or Kafka source, run in this process by a real `MicroBatchEngine`.
enum BenchPipeline {
    /// Where records come from.
    enum Source {
        /// The folder `path`, at most `maxFiles` files and `maxBytes` bytes per trigger.
        case files(path: String, maxFiles: Int, maxBytes: String?)
        /// `topic` on `bootstrap`, at most `maxOffsets` offsets per trigger.
        case kafka(bootstrap: String, topic: String, maxOffsets: Int)
    }

    /// The schema's fields: name, type, whether required.
    static let schemaFields: [(name: String, type: String, required: Bool)] = [
        ("id", "string", true), ("name", "string", false), ("city", "string", false), ("country", "string", false),
        ("birth_date", "timestamp", false), ("test_time", "timestamp", true), ("result", "double", false),
    ]

    /// The three transform steps, as they appear in the configuration.
    static let transforms = [
        "filter = \"\(BenchRecordGenerator.filterExpression)\"",
        "set = { country = \"upper(country)\", test_day = \"format_time(test_time, '%Y-%m-%d')\" }",
        "set = { passed = \"result >= 50\" }",
    ]

    /// Where records go.
    enum Sink {
        /// JSON lines under `root/output`.
        case files
        /// `topic` on `bootstrap`, keyed by `id`.
        case kafka(bootstrap: String, topic: String)
    }

    /// How much work each record costs.
    enum Shape {
        /// The benchmark's: seven fields, the filter and both `set` steps.
        case benchmark
        /// As little as the benchmark's accounting allows: `id` and `result`, and the filter
        /// (which needs `result` and keeps the same records). What a record costs the engine
        /// beyond this is the schema's conversions, the transforms and the writing.
        case floor
    }

    /// Writes `root/pipeline.toml` (checkpoint, dead letters and output under `root`) and
    /// returns its path.
    static func writeConfig(root: String, source: Source, trigger: String, sink: Sink = .files, shape: Shape = .benchmark) throws -> String {
        var text = """
            # Written by `tributary bench`.
            checkpoint_dir = "checkpoint"
            dead_letter_dir = "dead-letter"
            trigger = "\(trigger)"


            """
        let fields = shape == .floor ? schemaFields.filter { ["id", "result"].contains($0.name) } : schemaFields
        text += "[schema]\nfields = [\n"
        for field in fields {
            text += "  { name = \"\(field.name)\", type = \"\(field.type)\"\(field.required ? ", required = true" : "") },\n"
        }
        text += "]\n\n"
        switch source {
        case let .files(path, maxFiles, maxBytes):
            text += """
                [source.files]
                path = "\(path)"
                pattern = "*.jsonl"
                min_file_age = "0s"
                max_files_per_trigger = \(maxFiles)

                """
            if let maxBytes { text += "max_bytes_per_trigger = \"\(maxBytes)\"\n" }
        case let .kafka(bootstrap, topic, maxOffsets):
            // The Kafka records carry the schema's field names: no mapping needed.
            text += """
                [source.kafka]
                bootstrap_servers = "\(bootstrap)"
                topics = ["\(topic)"]
                starting_offsets = "earliest"
                max_offsets_per_trigger = \(maxOffsets)

                """
        }
        for step in shape == .floor ? Array(transforms.prefix(1)) : transforms { text += "\n[[transform]]\n\(step)\n" }
        switch sink {
        case .files:
            text += "\n[sink.files]\npath = \"output\"\n"
        case let .kafka(bootstrap, topic):
            text += "\n[[sink]]\ntype = \"kafka\"\nbootstrap_servers = \"\(bootstrap)\"\ntopic = \"\(topic)\"\nkey = \"id\"\n"
        }
        try BenchSupport.makeFolder(root)
        let path = root + "/pipeline.toml"
        try BenchSupport.write(text, to: path)
        return path
    }

    /// What one engine run did.
    struct Run: Sendable {
        var batches = 0
        var reports: [ProgressReport] = []
        var wall = 0.0
        var cpu = 0.0
        /// Seconds to open the engine (checkpoint, files log, sources, sinks).
        var open = 0.0
        /// Seconds from the engine being open to its run returning: the batches, back to back.
        var running = 0.0

        var read: Int { reports.reduce(0) { $0 + $1.total.read } }
        var written: Int { reports.reduce(0) { $0 + $1.total.written } }
        var filtered: Int { reports.reduce(0) { $0 + $1.total.filtered } }
        var deadLettered: Int { reports.reduce(0) { $0 + $1.total.deadLettered } }
        /// Bytes of file input the batches took.
        var fileBytes: Int { reports.reduce(0) { $0 + $1.files.reduce(0) { $0 + Int($1.endOffset - $1.start) } } }
    }

    /// Runs the pipeline of `configPath` on a thread of its own until the trigger says stop
    /// (available-now: drained), or until `stopAfter` batches committed. Wall and CPU time
    /// cover opening the engine and the run.
    static func run(configPath: String, stopAfter: Int? = nil) async throws -> Run {
        let config = try ConfigLoader.load(file: configPath)
        let measured = try await BenchSupport.measure {
            try await BenchSupport.onThread("bench-engine") { () throws -> Run in
                let monitor = EngineMonitor()
                let reports = Mutex<[ProgressReport]>([])
                monitor.observe { event in
                    if case .committed(let report) = event { reports.withLock { $0.append(report) } }
                }
                let opening = BenchSupport.now()
                let engine = try MicroBatchEngine(config: config, logger: Logger(label: "tributary.bench"), monitor: monitor)
                var run = Run()
                run.open = BenchSupport.now() - opening
                let started = BenchSupport.now()
                run.batches = try engine.run(shouldStop: {
                    guard let stopAfter else { return false }
                    return monitor.snapshot.batchesCommitted >= stopAfter
                })
                run.running = BenchSupport.now() - started
                run.reports = reports.withLock { $0 }
                return run
            }
        }
        var run = measured.value
        run.wall = measured.wall
        run.cpu = measured.cpu
        return run
    }
}
