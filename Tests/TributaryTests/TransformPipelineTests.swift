import Foundation
import Synchronization
@testable import Kafka
import Testing
@testable import Tributary

@Suite("Transforms, routing, Kafka sink, replay", .timeLimit(.minutes(4)))
struct TransformPipelineTests {
    static let schema = """
        [schema]
        fields = [
          { name = "visit_id", type = "string", required = true },
          { name = "page", type = "string" },
          { name = "event_time", type = "timestamp", required = true },
          { name = "duration_ms", type = "int" },
        ]
        """

    /// The `[[sink]]` table of a Kafka sink to topic "out" on `broker`, keyed by `key`.
    static func kafkaSink(_ broker: EmbeddedKafka, key: String) -> String {
        """
        [[sink]]
        type = "kafka"
        bootstrap_servers = "\(broker.bootstrapServers)"
        topic = "out"
        key = "\(key)"
        """
    }

    /// Every record the two partitions of topic "out" on `broker` still hold.
    static func outRecords(_ broker: EmbeddedKafka) throws -> [KafkaRecord] {
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let marks = try reader.watermarks(of: [TopicPartition("out", 0), TopicPartition("out", 1)])
        return try reader.readAllBlocking(marks.map { PartitionRange("out", $0.key.partition, start: $0.value.low, end: $0.value.high) })
    }

    /// Writes a full config (schema included) and loads it.
    func load(_ fixture: PipelineFixture, top: String = "", _ body: String) throws -> TributaryConfig {
        try fixture.filesConfig(schema: Self.schema, top: top, "max_files_per_trigger = 10\n" + body)
    }

    @Test("filter, set with functions, rename, drop, cast, default; a runtime failure is dead-lettered with its original bytes and step")
    func steps() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("a.jsonl", """
            {"visit_id":"v1","page":"  /Home ","event_time":"2025-11-20T10:15:00Z","duration_ms":120000}
            {"visit_id":"v2","page":"/docs","event_time":"2025-11-20T11:00:00Z","duration_ms":0}
            {"visit_id":"v3","event_time":"2025-11-20T12:30:00Z","duration_ms":30}
            {"visit_id":"v4","page":"/x","event_time":"2025-11-20T13:00:00Z","duration_ms":9223372036854775807}
            """)
        let config = try load(fixture, """
            [[transform]]
            filter = "duration_ms > 0"
            [[transform]]
            set = { page = "lower(trim(page))", long_visit = "duration_ms >= 60000", day = "format_time(event_time, '%Y-%m-%d')", doubled = "duration_ms * 2" }
            [[transform]]
            default = { page = "/unknown" }
            [[transform]]
            rename = { duration_ms = "duration" }
            [[transform]]
            cast = { duration = "string" }
            [[transform]]
            drop = ["event_time"]
            [sink.files]
            path = "\(fixture.output)"
            """)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let rows = try fixture.outputRows()
        #expect(rows.count == 2)
        let v1 = try #require(rows.first { $0["visit_id"] as? String == "v1" })
        #expect(v1["page"] as? String == "/home")
        #expect(v1["long_visit"] as? Bool == true)
        #expect(v1["day"] as? String == "2025-11-20")
        #expect(v1["duration"] as? String == "120000")
        #expect(v1["doubled"] as? Int == 240000)
        #expect(v1["event_time"] == nil && v1["duration_ms"] == nil)
        let v3 = try #require(rows.first { $0["visit_id"] as? String == "v3" })
        #expect(v3["page"] as? String == "/unknown")
        // Output columns keep schema order, then the fields `set` created.
        let firstLine = try String(contentsOfFile: fixture.output + "/0-0.jsonl", encoding: .utf8).split(separator: "\n")[0]
        #expect(firstLine.hasPrefix("{\"visit_id\":\"v1\",\"page\":\"/home\",\"duration\":\"120000\",\"day\":"))

        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == 1)
        #expect(letters[0]["stage"] as? String == "transform")
        #expect((letters[0]["reason"] as? String)?.hasPrefix("transform[1].set: integer overflow") == true)
        #expect((letters[0]["raw"] as? String)?.contains("\"visit_id\":\"v4\"") == true, "the original line, as it arrived")
        #expect((letters[0]["source"] as? [String: Any])?["line"] as? Int == 4)

        let report = try #require(try fixture.progressReports().first)
        let files = try #require((report["sources"] as? [String: Any])?["files"] as? [String: Any])
        #expect(files["rows_read"] as? Int == 4)
        #expect(files["rows_written"] as? Int == 2)
        #expect(files["rows_filtered"] as? Int == 1)
        #expect(files["rows_dead_lettered"] as? Int == 1)
    }

    @Test("a set step computes every value from the row as it came in, then stores them: two columns swap, a third sees the old values")
    func setReadsTheIncomingRow() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("a.jsonl", """
            {"visit_id":"v1","page":"/a","event_time":"2025-11-20T10:15:00Z","duration_ms":1}
            {"visit_id":"v2","page":"/b","event_time":"2025-11-20T11:00:00Z","duration_ms":2}
            """)
        let config = try load(fixture, """
            [[transform]]
            set = { page = "visit_id", visit_id = "page", both = "concat(visit_id, page)", duration_ms = "duration_ms * 10" }
            [sink.files]
            path = "\(fixture.output)"
            """)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let rows = try fixture.outputRows()
        #expect(rows.count == 2)
        let first = try #require(rows.first { $0["page"] as? String == "v1" })
        #expect(first["visit_id"] as? String == "/a")
        #expect(first["both"] as? String == "v1/a")
        #expect(first["duration_ms"] as? Int == 10)
        let second = try #require(rows.first { $0["page"] as? String == "v2" })
        #expect(second["visit_id"] as? String == "/b")
        #expect(second["both"] as? String == "v2/b")
        #expect(second["duration_ms"] as? Int == 20)
    }

    @Test("a type error is reported at start-up with the step, the column and a suggestion")
    func compileErrors() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        // Loading compiles the chain, so every command rejects the file before it starts.
        let error = #expect(throws: ConfigError.self) {
            _ = try load(fixture, """
            [[transform]]
            set = { score = "lenght(page)" }
            [[transform]]
            filter = "page + 1"
            [sink.files]
            path = "\(fixture.output)"
            partition_by = "nope"
            """)
        }
        let text = error?.description ?? ""
        #expect(text.contains("transform[0].set.score: unknown function 'lenght' (did you mean 'length'?) at column 1"))
        #expect(text.contains("transform[1].filter"))
        #expect(text.contains("partition_by: 'nope' is not an output field"))
    }

    @Test("two routed sinks, unrouted records dead-lettered, each record in the right place once")
    func routing() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("a.jsonl", """
            {"visit_id":"d1","page":"/docs/a","event_time":"2025-11-20T10:00:00Z"}
            {"visit_id":"b1","page":"/blog/x","event_time":"2025-11-20T10:00:00Z"}
            {"visit_id":"o1","page":"/other","event_time":"2025-11-20T10:00:00Z"}
            {"visit_id":"d2","page":"/docs/b","event_time":"2025-11-20T10:00:00Z"}
            """)
        let docs = fixture.root.appendingPathComponent("docs").path
        let blog = fixture.root.appendingPathComponent("blog").path
        let config = try load(fixture, top: "unrouted = \"dead-letter\"", """
            [[sink]]
            type = "files"
            name = "docs"
            path = "\(docs)"
            when = "starts_with(page, '/docs')"
            [[sink]]
            type = "files"
            name = "blog"
            path = "\(blog)"
            when = "page = '/blog/x'"
            """)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let docIDs = try fixture.jsonLines(docs + "/0-0.jsonl").map { $0["visit_id"] as! String }
        let blogIDs = try fixture.jsonLines(blog + "/0-0.jsonl").map { $0["visit_id"] as! String }
        #expect(docIDs == ["d1", "d2"])
        #expect(blogIDs == ["b1"])
        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == 1)
        #expect(letters.first?["stage"] as? String == "sink")
        #expect((letters.first?["raw"] as? String)?.contains("o1") == true)
        let report = try #require(try fixture.progressReports().first)
        #expect(report["unrouted"] as? Int == 1)
        #expect(report["sinks"] as? [String: Int] == ["docs": 2, "blog": 1])
    }

    @Test("the Kafka sink produces each record once per batch run, with keys and batch/origin headers")
    func kafkaSink() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, _) = try PipelineFixture.kafka(topic: "out", partitions: 2)
        try fixture.drop("a.jsonl", (1...6).map { "{\"visit_id\":\"k\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}" }.joined(separator: "\n"))
        let config = try load(fixture, Self.kafkaSink(broker, key: "upper(visit_id)"))
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let records = try Self.outRecords(broker)
        #expect(records.count == 6)
        #expect(Set(records.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }) == Set((1...6).map { "K\($0)" }))
        for record in records {
            #expect(record.headers.contains(KafkaHeader(name: "tributary.batch", text: "0")))
            #expect(record.headers.contains(KafkaHeader(name: "tributary.origin", text: "file")))
            // Exactly these two, batch first: the sink shares one header list across a part's
            // records and extends it once, which must neither repeat nor drop a header.
            #expect(record.headers == [KafkaHeader(name: "tributary.batch", text: "0"), KafkaHeader(name: "tributary.origin", text: "file")])
            let value = try JSONSerialization.jsonObject(with: Data(record.value!)) as! [String: Any]
            #expect(value["visit_id"] as? String == String(decoding: record.key!, as: UTF8.self).lowercased())
        }
    }

    @Test("a batch whose Kafka sink cannot deliver while the broker is down runs again once it is back: every record lands under the batch's header")
    func kafkaSinkOutageRetriesBatch() throws {
        let run = try expectBatchRunsAgainAfterSinkOutage(librdkafka: "\n[sink.librdkafka]\n\"message.timeout.ms\" = \"1500\"\n")
        #expect(run.failures.contains { $0.contains("batch 0 cannot complete") && $0.contains("timed out") }, "librdkafka's 1.5 s ran out: \(run.failures)")
    }

    @Test("a batch whose Kafka sink waits past its limit for acknowledgements gives its records up and runs again: every record lands under the batch's header once the broker is back")
    func kafkaSinkWaitLimitRetriesBatch() throws {
        // librdkafka's own limit (message.timeout.ms) stays at its 300 s: the sink's wait runs
        // out first and purges the records, which must make the batch run again, not fail.
        let run = try expectBatchRunsAgainAfterSinkOutage { config in
            guard case .kafka(var settings) = config.sinks[0].kind else { Issue.record("not a Kafka sink"); return }
            settings.acknowledgementWait = .seconds(1)
            config.sinks[0].kind = .kafka(settings)
        }
        // With the sink's usual 60 s wait, the first attempt alone would take a minute.
        #expect(run.elapsed < .seconds(30), "the 1 s wait ran out and the batch ran again, rather than waiting 60 s")
        // The broker is back within the usual 60 s wait, so only the failures show that the
        // 1 s wait ran out and the batch ran again.
        #expect(run.failures.contains { $0.contains("batch 0 cannot complete") && $0.contains("were not acknowledged within 1.0 seconds") }, "\(run.failures)")
    }

    /// Runs a batch of 20 records to a Kafka sink whose broker is down for its first 3 s, and
    /// checks that the batch waited, committed once, and that every record landed under batch
    /// 0's header. `librdkafka` is appended to the configuration; `adjust` changes it once loaded.
    /// Returns how long the run took and the failures the engine reported on the way.
    func expectBatchRunsAgainAfterSinkOutage(
        librdkafka: String = "", adjust: (inout TributaryConfig) throws -> Void = { _ in }
    ) throws -> (elapsed: Duration, failures: [String]) {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, _) = try PipelineFixture.kafka(topic: "out", partitions: 2)
        try fixture.drop("a.jsonl", (1...20).map { "{\"visit_id\":\"k\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}" }.joined(separator: "\n"))
        var config = try load(fixture, Self.kafkaSink(broker, key: "visit_id") + librdkafka)
        try adjust(&config)
        let monitor = EngineMonitor()
        let failures = Mutex<[String]>([])
        monitor.observe { event in
            if case .failing(let reason) = event { failures.withLock { $0.append(reason) } }
        }
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger, monitor: monitor)
        try broker.setAllBrokersDown()
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { try? broker.setAllBrokersUp() }
        let started = ContinuousClock.now
        #expect(try engine.run() == 1)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed > .seconds(2), "the batch waited for the broker")
        #expect(FileManager.default.fileExists(atPath: fixture.checkpoint + "/commits/0"))
        let records = try Self.outRecords(broker)
        #expect(Set(records.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }) == Set((1...20).map { "k\($0)" }))
        #expect(records.allSatisfy { $0.headers.first == KafkaHeader(name: "tributary.batch", text: "0") })
        return (elapsed, failures.withLock { $0 })
    }

    @Test("a Kafka sink lets librdkafka hold at most 32 MiB of its records, unless [sink.librdkafka] sets another bound")
    func kafkaSinkQueueBound() throws {
        let (broker, _) = try PipelineFixture.kafka(topic: "out", partitions: 2)
        let writer = ProjectedRowWriter(columns: [("visit_id", 0)])
        var config = KafkaSinkConfig(bootstrapServers: broker.bootstrapServers, topic: "out")
        let bounded = try KafkaSink(name: "out", config: config, bootstrap: broker.bootstrapServers, writer: writer, key: nil)
        #expect(bounded.producer.configurationValue("queue.buffering.max.kbytes") == "32768", "librdkafka's own default is 1 GiB")
        config.librdkafka["queue.buffering.max.kbytes"] = "1024"
        let chosen = try KafkaSink(name: "out", config: config, bootstrap: broker.bootstrapServers, writer: writer, key: nil)
        #expect(chosen.producer.configurationValue("queue.buffering.max.kbytes") == "1024")
    }

    @Test("dedupe drops repeats within the window, across a restart of the engine")
    func dedupeAcrossRestart() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let body = """
            [[transform]]
            dedupe = { key = ["visit_id"], within = "1h" }
            [sink.files]
            path = "\(fixture.output)"
            """
        try fixture.drop("a.jsonl", "{\"visit_id\":\"x\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n{\"visit_id\":\"x\",\"event_time\":\"2025-11-20T10:00:01Z\"}\n{\"visit_id\":\"y\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n")
        #expect(try MicroBatchEngine(config: try load(fixture, body), logger: PipelineFixture.logger).run() == 1)
        // A new process, a new file with a repeat of x and a new z.
        try fixture.drop("b.jsonl", "{\"visit_id\":\"x\",\"event_time\":\"2025-11-20T11:00:00Z\"}\n{\"visit_id\":\"z\",\"event_time\":\"2025-11-20T11:00:00Z\"}\n")
        #expect(try MicroBatchEngine(config: try load(fixture, body), logger: PipelineFixture.logger).run() == 1)
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == ["x", "y", "z"])
        #expect(FileManager.default.fileExists(atPath: fixture.checkpoint + "/state/dedupe-0/1"))
    }

    @Test("a dead letter fixed and replayed appears once in the output and leaves the pending dead letters")
    func replay() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("a.jsonl", "{\"visit_id\":\"ok\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n{\"visit_id\":\"bad\",\"event_time\":\"yesterday\"}\n{\"visit_id\":\"worse\"}\n")
        let config = try load(fixture, "[sink.files]\npath = \"\(fixture.output)\"")
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        var (entries, problems) = try DeadLetterReader.read(folder: fixture.deadLetters)
        #expect(entries.count == 2 && problems.isEmpty)

        // Fix one record; replay both: the fixed one lands, the other fails again.
        entries = entries.map { entry in
            var entry = entry
            if entry.raw?.contains("yesterday") == true { entry.raw = entry.raw?.replacingOccurrences(of: "yesterday", with: "2025-11-19T00:00:00Z") }
            return entry
        }
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        let result = try #require(try engine.replay(entries, note: "test replay"))
        #expect(result.batch == 1 && result.replayed == 2 && result.written == 1 && result.deadLetteredAgain == 1)
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == ["bad", "ok"])

        let pending = try DeadLetterReader.read(folder: fixture.deadLetters).entries
        #expect(pending.count == 1, "only the record that failed again is pending")
        #expect(pending.first?.batch == 1)
        #expect(pending.first?.raw == "{\"visit_id\":\"worse\"}")
        let retired = try DeadLetterReader.read(folder: fixture.deadLetters + "/replayed").entries
        #expect(retired.count == 2)
        #expect(FileManager.default.fileExists(atPath: fixture.checkpoint + "/replay/1.jsonl"))
    }

    @Test("checkpoint reset to earliest makes the next run read the retained topic again")
    func resetToEarliest() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, producer) = try PipelineFixture.kafka(topic: "visits", partitions: 1)
        try producer.send((0..<5).map { KafkaOutgoingRecord(topic: "visits", value: Array("{\"id\":\"r\($0)\",\"ts\":1700000000000}".utf8)) })
        let text = """
            checkpoint_dir = "\(fixture.checkpoint)"
            dead_letter_dir = "\(fixture.deadLetters)"
            trigger = "available-now"
            \(Self.schema)
            \(PipelineFixture.kafkaSource(broker, mapping: "visit_id = \"id\"\nevent_time = \"ts\""))
            [sink.files]
            path = "\(fixture.output)"
            """
        let file = fixture.root.appendingPathComponent("k.toml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let config = try ConfigLoader.load(file: file)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 0)
        let plan = try MicroBatchEngine(config: config, logger: PipelineFixture.logger).reset(to: nil)
        #expect(plan.kafka == [BatchPlan.KafkaRange(topic: "visits", partition: 0, start: 0, end: 0)])
        #expect(plan.note?.contains("visits[0]=0") == true)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        #expect(try fixture.outputRows().count == 10, "the 5 records again, in a new batch")
    }
}

extension KafkaRangeReader {
    /// Reads and copies every record of `ranges` on the calling thread (tests only).
    func readAllBlocking(_ ranges: [PartitionRange]) throws -> [KafkaRecord] {
        var records: [KafkaRecord] = []
        try read(ranges) { records.append(contentsOf: $0.copyAll()) }
        return records
    }
}
