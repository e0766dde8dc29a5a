import Foundation
import Testing

/// Runs `tributary` with `arguments` and extra environment variables; returns status, stdout, stderr.
private func tributary(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
    try ChildProcess.run(ChildProcess.tributaryPath, arguments, environment: environment)
}

/// A temp folder holding a pipeline configuration.
private struct Workspace {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-ops-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `text` to `name` in the workspace and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String, modified: Date? = nil) throws -> String {
        let path = root + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path) }
        return path
    }

    /// A files-source pipeline; `extra` goes to the top level, `sink` replaces the sink path.
    func pipeline(_ name: String = "pipeline.toml", extra: String = "", files: String = "", sink: String = "output") throws -> String {
        try write(name, TestPipeline.toml(
            top: extra,
            sources: TestPipeline.filesSource + "\nmax_files_per_trigger = 1\n" + files,
            sink: "[sink.files]\npath = \"\(sink)\""))
    }
}

private func json(_ text: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite("Operator commands", .timeLimit(.minutes(4)))
struct OperatorCommandTests {
    @Test("status, dead-letter list/show and validate on the checkpoint of a real run")
    func afterARealRun() throws {
        let space = try Workspace()
        defer { space.remove() }
        let old = Date().addingTimeInterval(-600)
        try space.write("incoming/a.jsonl", """
            {"visit_id":"a1","event_time":"2026-11-21T10:00:00Z"}
            {"visit_id":"a2","event_time":"2026-11-21T10:01:00Z"}

            """, modified: old)
        try space.write("incoming/b.jsonl", """
            {"visit_id":"b1","event_time":"2026-11-21T11:00:00Z"}
            {"visit_id":"b2","event_time":"yesterday"}
            {"visit_id":"b3","event_time":"2026-11-21T11:02:00Z"}

            """, modified: old.addingTimeInterval(60))
        try space.write("incoming/c.jsonl", """
            {"visit_id":"c1","event_time":"2026-11-21T12:00:00Z"}
            this is not JSON

            """, modified: old.addingTimeInterval(120))
        let config = try space.pipeline()
        let run = try tributary(["run", "--config", config])
        try #require(run.status == 0, "run failed: \(run.errors)")

        // checkpoint status, text
        let status = try tributary(["checkpoint", "status", "--config", config])
        #expect(status.status == 0, "\(status.errors)")
        #expect(status.output.contains("last committed batch: 2, committed at 20"))
        #expect(status.output.contains("batch in flight: none"))
        #expect(status.output.contains("files taken: 3 complete, 0 in progress"))
        #expect(status.output.contains("files pending in \(space.root)/incoming: 0"))
        #expect(status.output.contains("last progress report: batch 2"))
        let totalLine = status.output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("total") }
        #expect(totalLine?.split(separator: " ").map(String.init) == ["total", "2", "1", "0", "1"])

        // checkpoint status --json, here with --checkpoint
        let statusJSON = try tributary(["checkpoint", "status", "--checkpoint", space.root + "/checkpoint", "--json"])
        #expect(statusJSON.status == 0, "\(statusJSON.errors)")
        let document = try json(statusJSON.output)
        let last = try #require(document["last_committed"] as? [String: Any])
        #expect(last["batch"] as? Int == 2)
        let counts = try #require((last["counts"] as? [String: Any])?["files"] as? [String: Any])
        #expect(counts["read"] as? Int == 2)
        #expect(counts["dead_lettered"] as? Int == 1)
        #expect(document["in_flight"] is NSNull)
        let files = try #require(document["files"] as? [String: Any])
        #expect(files["taken"] as? Int == 3)
        #expect((files["in_progress"] as? [Any])?.isEmpty == true)
        #expect(files["pending"] == nil, "pending files need --config")
        let progress = try #require(document["progress"] as? [String: Any])
        #expect(progress["batch"] as? Int == 2)
        #expect(progress["rows_read"] as? Int == 2)
        #expect(progress["rows_dead_lettered"] as? Int == 1)

        // dead-letter list
        let list = try tributary(["dead-letter", "list", "--config", config])
        #expect(list.status == 0, "\(list.errors)")
        #expect(list.output.contains("field event_time: expected timestamp, got \"yesterday\""))
        #expect(list.output.contains("total: 2 records in 2 files"))
        let listJSON = try json(try tributary(["dead-letter", "list", "--dead-letter-dir", space.root + "/dead-letter", "--json"]).output)
        #expect(listJSON["total"] as? Int == 2)
        let groups = try #require(listJSON["groups"] as? [[String: Any]])
        #expect(Set(groups.compactMap { ($0["batches"] as? [Int])?.first }) == [1, 2])
        #expect(groups.allSatisfy { $0["source"] as? String == "file" && $0["count"] as? Int == 1 })
        let filtered = try json(try tributary(["dead-letter", "list", "--config", config, "--reason", "EXPECTED TIMESTAMP", "--json"]).output)
        #expect(filtered["total"] as? Int == 1)

        // dead-letter show
        let show = try tributary(["dead-letter", "show", "--config", config, "--batch", "2"])
        #expect(show.status == 0, "\(show.errors)")
        #expect(show.output.contains("batch 2  stage decode  file \(space.root)/incoming/c.jsonl:2"))
        #expect(show.output.contains("raw:    this is not JSON"))
        #expect(!show.output.contains("yesterday"))
        #expect(show.output.contains("1 of 1 matching record"))
        let showJSON = try json(try tributary(["dead-letter", "show", "--config", config, "--batch", "1", "--json"]).output)
        let records = try #require(showJSON["records"] as? [[String: Any]])
        #expect(records.count == 1)
        #expect(records.first?["stage"] as? String == "schema")
        #expect((records.first?["source"] as? [String: Any])?["line"] as? Int == 2)
        #expect(records.first?["raw"] as? String == "{\"visit_id\":\"b2\",\"event_time\":\"yesterday\"}")

        // validate, on the configuration that just ran
        let validate = try tributary(["validate", "--config", config])
        #expect(validate.status == 0, "\(validate.errors)")
        #expect(validate.output.hasPrefix("configuration OK"))
        #expect(validate.output.contains("checkpoint_dir = \"\(space.root)/checkpoint\"\n"))
        #expect(validate.output.contains("max_files_per_trigger = 1\n"))
        #expect(validate.output.contains("pattern = \"*.json*\"\n"))
    }

    @Test func validateReportsEveryProblemOfTheFileWithStatus2() throws {
        let space = try Workspace()
        defer { space.remove() }
        let config = try space.pipeline(extra: "trigerr = \"5s\"\nretain_batches = 0", files: "latest_first = \"yes\"")
        let result = try tributary(["validate", "--config", config])
        #expect(result.status == 2)
        #expect(result.errors.contains("(3 problems)"))
        #expect(result.errors.contains("trigerr: unknown key (did you mean 'trigger'?)"))
        #expect(result.errors.contains("retain_batches: must be at least 1"))
        #expect(result.errors.contains("source.files.latest_first: expected true or false"))
        #expect(result.output.isEmpty)
    }

    @Test func validateReportsAnOutputUnderAFileWithStatus1() throws {
        let space = try Workspace()
        defer { space.remove() }
        try space.write("plain", "a file, not a folder\n")
        let config = try space.pipeline(sink: "plain/output")
        let result = try tributary(["validate", "--config", config])
        #expect(result.status == 1)
        #expect(result.errors.contains("sink.files.path: \(space.root)/plain/output cannot be created: \(space.root)/plain is a file, not a folder"))
        #expect(!FileManager.default.fileExists(atPath: space.root + "/checkpoint"), "validate creates nothing")
    }

    @Test func validateNeverPrintsASecretFromTheEnvironment() throws {
        let space = try Workspace()
        defer { space.remove() }
        let secret = "pw-\(UUID().uuidString)"
        let config = try space.write("kafka.toml", """
            checkpoint_dir = "checkpoint"
            dead_letter_dir = "dead-letter"
            [schema]
            fields = [{ name = "id", type = "string" }]
            [source.kafka]
            bootstrap_servers = "127.0.0.1:1"
            topics = ["visits"]
            [source.kafka.librdkafka]
            "security.protocol" = "SASL_PLAINTEXT"
            "sasl.mechanisms" = "PLAIN"
            "sasl.username" = "tributary"
            "sasl.password" = "${SECRET_PW}"
            [sink.console]
            """)
        let result = try tributary(["validate", "--config", config], environment: ["SECRET_PW": secret])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("\"sasl.password\" = \"***\"\n"))
        #expect(result.output.contains("bootstrap_servers = \"127.0.0.1:1\"\n"))
        #expect(!result.output.contains(secret))
        #expect(!result.errors.contains(secret))
    }

    @Test func deadLetterCommandsReportMalformedLinesAndCarryOn() throws {
        let space = try Workspace()
        defer { space.remove() }
        try FileManager.default.createDirectory(atPath: space.root + "/dl", withIntermediateDirectories: true)
        try space.write("dl/4-kafka.jsonl", """
            {"batch":4,"time":"t","stage":"decode","reason":"invalid UTF-8","source":{"type":"kafka","topic":"v","partition":1,"offset":9,"key":null},"raw_base64":"e//+fQ=="}
            {"batch":4,"time":"t",
            {"batch":4,"time":"t","stage":"schema","reason":"\(String(repeating: "r", count: 300))","source":{"type":"kafka","topic":"v","partition":0,"offset":2,"key":"k"},"raw":"\(String(repeating: "x", count: 300))"}

            """)
        let list = try tributary(["dead-letter", "list", "--dead-letter-dir", space.root + "/dl"])
        #expect(list.status == 0)
        #expect(list.errors.contains("warning: \(space.root)/dl/4-kafka.jsonl line 2:"))
        #expect(list.output.contains("total: 2 records in 1 file (1 unreadable line skipped)"))
        #expect(list.output.contains(String(repeating: "r", count: 80) + "…"))
        #expect(!list.output.contains(String(repeating: "r", count: 81)))

        let show = try tributary(["dead-letter", "show", "--dead-letter-dir", space.root + "/dl", "--limit", "5"])
        #expect(show.status == 0)
        #expect(show.output.contains("kafka v[1] offset 9"))
        #expect(show.output.contains("raw:    <base64: 4 bytes>\n"))
        #expect(show.output.contains("raw:    " + String(repeating: "x", count: 200) + "…\n"))
        let full = try tributary(["dead-letter", "show", "--dead-letter-dir", space.root + "/dl", "--full", "--reason", "rrr"])
        #expect(full.output.contains("raw:    " + String(repeating: "x", count: 300) + "\n"))
        #expect(full.output.contains("1 of 1 matching record"))
    }

    @Test func missingPlacesAreClearErrors() throws {
        let space = try Workspace()
        defer { space.remove() }
        let status = try tributary(["checkpoint", "status", "--checkpoint", space.root + "/nowhere"])
        #expect(status.status == 1)
        #expect(status.errors.contains("checkpoint folder \(space.root)/nowhere does not exist"))
        let both = try tributary(["checkpoint", "status", "--checkpoint", "x", "--config", "y"])
        #expect(both.status != 0)
        #expect(both.errors.contains("give either --config or --checkpoint, not both"))
        let list = try tributary(["dead-letter", "list", "--dead-letter-dir", space.root + "/nowhere"])
        #expect(list.status == 1)
        #expect(list.errors.contains("\(space.root)/nowhere"))
        // From a configuration, a missing dead-letter folder just means nothing was rejected.
        let config = try space.pipeline()
        let fromConfig = try tributary(["dead-letter", "list", "--config", config])
        #expect(fromConfig.status == 0)
        #expect(fromConfig.output.contains("does not exist yet"))
    }
}
