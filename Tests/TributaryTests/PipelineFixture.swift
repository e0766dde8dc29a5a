import Foundation
import Kafka
import Logging
@testable import Tributary

/// A temp folder with an input folder, plus helpers to write a config and read back what a
/// pipeline produced: output rows, dead letters, progress reports.
struct PipelineFixture {
    let root: URL
    var incoming: String { root.appendingPathComponent("incoming").path }
    var output: String { root.appendingPathComponent("output").path }
    var checkpoint: String { root.appendingPathComponent("checkpoint").path }
    var deadLetters: String { root.appendingPathComponent("dead-letter").path }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("incoming").path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// An embedded broker with `topic` created, and a producer connected to it. Keep the broker
    /// for as long as the test uses it.
    static func kafka(topic: String, partitions: Int) throws -> (broker: EmbeddedKafka, producer: KafkaProducer) {
        let broker = try EmbeddedKafka()
        try broker.createTopic(topic, partitions: partitions)
        return (broker, try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers)))
    }

    /// A `[source.kafka]` table reading topic "visits" on `broker`, and its mapping table with
    /// the TOML lines `mapping`.
    static func kafkaSource(_ broker: EmbeddedKafka, mapping: String) -> String {
        """
        [source.kafka]
        bootstrap_servers = "\(broker.bootstrapServers)"
        topics = ["visits"]
        [source.kafka.mapping]
        \(mapping)
        """
    }

    /// Writes an input file with an mtime in the past, so min_file_age never holds it back.
    func drop(_ name: String, _ text: String, ageSeconds: TimeInterval = 60) throws {
        let path = incoming + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-ageSeconds)], ofItemAtPath: path)
    }

    /// A config with this fixture's folders; `sources` is the TOML of the [source.*] tables.
    func config(_ sources: String, trigger: String = "available-now", extra: String = "") throws -> TributaryConfig {
        let text = """
            checkpoint_dir = "\(checkpoint)"
            dead_letter_dir = "\(deadLetters)"
            trigger = "\(trigger)"
            \(extra)
            [schema]
            fields = [
              { name = "visit_id", type = "string", required = true },
              { name = "page", type = "string" },
              { name = "event_time", type = "timestamp", required = true },
              { name = "duration_ms", type = "int" },
              { name = "origin", type = "string" },
            ]
            \(sources)
            [sink.files]
            path = "\(output)"
            """
        return try load(configText: text, name: "pipeline.toml")
    }

    /// A config that drains this fixture's input folder (available-now, no minimum file age):
    /// `top` holds top-level keys, `schema` the `[schema]` table, and `body` follows the
    /// `[source.files]` table's path (more of its keys, then transforms and sinks).
    func filesConfig(schema: String, top: String = "", _ body: String) throws -> TributaryConfig {
        try load(configText: """
            checkpoint_dir = "\(checkpoint)"
            dead_letter_dir = "\(deadLetters)"
            trigger = "available-now"
            \(top)
            \(schema)
            [source.files]
            path = "\(incoming)"
            min_file_age = "0s"
            \(body)
            """)
    }

    /// Writes `text` to `name` in the fixture's folder and loads it as a configuration.
    func load(configText text: String, name: String = "t.toml") throws -> TributaryConfig {
        let file = root.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return try ConfigLoader.load(file: file)
    }

    /// Every output row, as JSON objects, from the files the manifests list.
    func outputRows() throws -> [[String: Any]] {
        let manifests = (try? FileManager.default.contentsOfDirectory(atPath: output + "/_manifest")) ?? []
        var rows: [[String: Any]] = []
        for manifest in manifests where manifest.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: output + "/_manifest/" + manifest))
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            for file in object["files"] as! [[String: Any]] {
                rows += try jsonLines(output + "/" + (file["path"] as! String))
            }
        }
        return rows
    }

    /// Every dead letter, from every dead-letter file.
    func deadLetterEntries() throws -> [[String: Any]] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: deadLetters)) ?? []
        return try files.filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }.flatMap { try jsonLines(deadLetters + "/" + $0) }
    }

    /// Every kept progress report.
    func progressReports() throws -> [[String: Any]] {
        let folder = checkpoint + "/progress"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try files.filter { !$0.hasPrefix(".") }.flatMap { try jsonLines(folder + "/" + $0) }
    }

    func jsonLines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()
}
