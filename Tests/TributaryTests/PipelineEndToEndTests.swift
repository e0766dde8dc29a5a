import Dispatch
import Foundation
import Kafka
import Testing
@testable import Tributary

@Suite("Pipeline end to end", .timeLimit(.minutes(4)))
struct PipelineEndToEndTests {
    @Test("Kafka and files at once, bad records in both: exact output, exact dead letters, balanced accounts")
    func bothSources() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, producer) = try PipelineFixture.kafka(topic: "visits", partitions: 3)
        var events = (0..<30).map { n in
            KafkaOutgoingRecord(topic: "visits", partition: Int32(n % 3), value: Array("{\"id\":\"k\(n)\",\"url\":\"/p\(n)\",\"ts\":\(1_700_000_000_000 + n)}".utf8))
        }
        events.append(KafkaOutgoingRecord(topic: "visits", partition: 0, key: Array("bad".utf8), value: Array("not json".utf8)))
        events.append(KafkaOutgoingRecord(topic: "visits", partition: 1, value: nil))
        events.append(KafkaOutgoingRecord(topic: "visits", partition: 2, value: Array("{\"id\":\"k-late\",\"ts\":\"yesterday\"}".utf8)))
        try producer.send(events)

        let goodFile = (0..<25).map { "{\"visit_id\":\"f\($0)\",\"page\":\"/f\",\"event_time\":\"2025-11-20T10:00:\(String(format: "%02d", $0))Z\",\"duration_ms\":\($0)}" }
        try fixture.drop("a.jsonl", goodFile.joined(separator: "\n") + "\n", ageSeconds: 120)
        try fixture.drop("b.jsonl", "{\"visit_id\":\"b1\",\"event_time\":\"2025-11-20T11:00:00Z\"}\n{\"visit_id\":\"b2\"}\n{broken\n\n{\"visit_id\":\"b3\",\"event_time\":1700000000000,\"duration_ms\":1.5}\n{\"visit_id\":\"b4\",\"event_time\":\"2025-11-20T11:00:04Z\"}", ageSeconds: 60)

        let config = try fixture.config("""
            [source.kafka]
            bootstrap_servers = "\(broker.bootstrapServers)"
            topics = ["visits"]
            max_offsets_per_trigger = 10
            [source.kafka.mapping]
            visit_id = "id"
            page = "url"
            event_time = "ts"
            origin = "@origin"
            [source.files]
            path = "\(fixture.incoming)"
            max_files_per_trigger = 1
            min_file_age = "1s"
            [source.files.mapping]
            origin = "@origin"
            """)
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        let batches = try engine.run()
        #expect(batches == 4, "33 offsets at 10 per trigger take 4 batches; the 2 files (1 per trigger) fit in the first 2")

        let rows = try fixture.outputRows()
        let ids = rows.map { $0["visit_id"] as! String }
        let expected = (0..<30).map { "k\($0)" } + (0..<25).map { "f\($0)" } + ["b1", "b4"]
        #expect(ids.sorted() == expected.sorted())
        #expect(Set(ids).count == ids.count, "no record twice")
        let k7 = try #require(rows.first { $0["visit_id"] as? String == "k7" })
        #expect(k7["event_time"] as? String == "2023-11-14T22:13:20.007Z")
        #expect(k7["origin"] as? String == "kafka")
        let f3 = try #require(rows.first { $0["visit_id"] as? String == "f3" })
        #expect(f3["origin"] as? String == "file")
        #expect(f3["duration_ms"] as? Int == 3)
        #expect(f3["event_time"] as? String == "2025-11-20T10:00:03.000Z")

        let letters = try fixture.deadLetterEntries()
        let reasons = Dictionary(grouping: letters) { ($0["source"] as! [String: Any])["type"] as! String }
        #expect(reasons["kafka"]?.count == 3)
        #expect(reasons["file"]?.count == 3)
        let b2 = try #require(letters.first { ($0["raw"] as? String) == "{\"visit_id\":\"b2\"}" })
        #expect(b2["reason"] as? String == "field event_time: required field is missing")
        #expect(b2["stage"] as? String == "schema")
        #expect((b2["source"] as? [String: Any])?["line"] as? Int == 2)
        #expect((b2["source"] as? [String: Any])?["file"] as? String == fixture.incoming + "/b.jsonl")
        let b3 = try #require(letters.first { ($0["raw"] as? String)?.contains("b3") == true })
        #expect(b3["reason"] as? String == "field duration_ms: expected int, got 1.5")
        #expect((b3["source"] as? [String: Any])?["line"] as? Int == 5, "the blank line counts as a line")
        let tombstone = try #require(letters.first { ($0["reason"] as? String)?.contains("tombstone") == true })
        #expect((tombstone["source"] as? [String: Any])?["partition"] as? Int == 1)
        let late = try #require(letters.first { ($0["raw"] as? String)?.contains("k-late") == true })
        #expect(late["reason"] as? String == "field event_time: expected timestamp, got \"yesterday\"")
        #expect(letters.allSatisfy { $0["batch"] is Int && $0["time"] is String })

        let reports = try fixture.progressReports()
        #expect(reports.count == 4)
        for report in reports {
            for (_, value) in report["sources"] as! [String: [String: Any]] {
                let read = value["rows_read"] as! Int
                let accounted = (value["rows_written"] as! Int) + (value["rows_filtered"] as! Int) + (value["rows_dead_lettered"] as! Int)
                #expect(read == accounted)
            }
        }
        let totalRead = reports.map { $0["rows_read"] as! Int }.reduce(0, +)
        #expect(totalRead == 33 + 25 + 5)
    }

    @Test("a second run on a drained checkpoint does nothing and writes nothing")
    func idleTriggerWritesNothing() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("one.jsonl", "{\"visit_id\":\"x\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n")
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmin_file_age = \"0s\"")
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let before = try FileManager.default.contentsOfDirectory(atPath: fixture.checkpoint + "/offsets")
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.checkpoint + "/offsets") == before)
        #expect(try fixture.outputRows().count == 1)
    }

    @Test("a file larger than the byte budget is split across batches at line boundaries, each line once")
    func splitLargeFile() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let lines = (0..<500).map { "{\"visit_id\":\"v\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\",\"page\":\"\(String(repeating: "x", count: $0 % 37))\"}" }
        try fixture.drop("big.jsonl", lines.joined(separator: "\n"))  // no trailing newline
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmax_bytes_per_trigger = 4096\nmin_file_age = \"0s\"")
        let batches = try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run()
        let size = try FileManager.default.attributesOfItem(atPath: fixture.incoming + "/big.jsonl")[.size] as! Int
        #expect(batches == (size + 4095) / 4096)
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == (0..<500).map { "v\($0)" }.sorted())
    }

    @Test("each progress report times every phase, and its total covers the phases that follow one another")
    func progressDurations() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let lines = (0..<300).map { "{\"visit_id\":\"v\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\",\"page\":\"p\"}" }
        try fixture.drop("visits.jsonl", lines.joined(separator: "\n") + "\n")
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmax_bytes_per_trigger = 4096\nmin_file_age = \"0s\"")
        let batches = try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run()
        let reports = try fixture.progressReports()
        #expect(batches > 1 && reports.count == batches)
        for report in reports {
            let durations = try #require(report["durations_ms"] as? [String: Double])
            // Spelled out, so that a phase dropped from the engine's list is caught too.
            #expect(Set(durations.keys) == ["plan", "write_ahead", "read", "transform", "write", "sink", "commit", "total"], "\(durations)")
            #expect(Set(durations.keys) == Set(ProgressReport.phases), "\(durations)")
            // Each value is rounded down to the microsecond: allow that much per phase.
            let serial = ["plan", "write_ahead", "read", "sink", "commit"].reduce(0.0) { $0 + durations[$1]! }
            #expect(durations["total"]! + 0.005 >= serial, "\(durations)")
            // Writing the output happens while reading.
            #expect(durations["write"]! <= durations["read"]! + 0.001, "\(durations)")
        }
    }

    @Test("a file holding one JSON array is read element by element; a bad element is dead-lettered with its line")
    func arrayFile() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("export.json", """
            [
              {"visit_id": "a1", "event_time": "2025-11-20T10:00:00Z", "page": "/a,[b]"},
              {"visit_id": "a2", "event_time": "2025-11-20T10:00:01Z", "page": "x\\"y"},
              {"visit_id": "a3"},
              {"visit_id": "a4", "event_time": 1700000000000}
            ]
            """)
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmin_file_age = \"0s\"\nmax_bytes_per_trigger = 64")
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1, "an array file is taken whole")
        let rows = try fixture.outputRows()
        #expect(rows.map { $0["visit_id"] as! String } == ["a1", "a2", "a4"])
        #expect(rows.first?["page"] as? String == "/a,[b]")
        #expect(rows[1]["page"] as? String == "x\"y")
        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == 1)
        #expect(letters.first?["reason"] as? String == "field event_time: required field is missing")
        #expect((letters.first?["source"] as? [String: Any])?["line"] as? Int == 4)
    }

    @Test("a gzip file larger than the byte budget is split at uncompressed line boundaries, each line once")
    func splitGzipFile() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let lines = (0..<400).map { "{\"visit_id\":\"g\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}" }
        try fixture.drop("big.jsonl", lines.joined(separator: "\n") + "\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [fixture.incoming + "/big.jsonl"]
        try gzip.run()
        gzip.waitUntilExit()
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: fixture.incoming + "/big.jsonl.gz")
        let compressed = try FileManager.default.attributesOfItem(atPath: fixture.incoming + "/big.jsonl.gz")[.size] as! Int
        let budget = compressed / 2  // smaller than the file on disk, so it is split
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmax_bytes_per_trigger = \(budget)\nmin_file_age = \"0s\"")
        let batches = try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run()
        let uncompressed = lines.joined(separator: "\n").utf8.count + 1
        // Each piece runs on to the end of the line that crosses its end, so a piece holds
        // between `budget` and `budget + longest line` bytes.
        let longest = lines.map(\.utf8.count).max()! + 1
        #expect((uncompressed / (budget + longest))...((uncompressed + budget - 1) / budget + 1) ~= batches, "\(batches) batches for \(uncompressed) bytes at \(budget) per batch")
        #expect(batches > 10)
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == (0..<400).map { "g\($0)" }.sorted())
        #expect(try fixture.deadLetterEntries().isEmpty)
    }

    @Test("partition_by writes one sub-folder per value (timestamps by date), listed in the manifest")
    func partitionBy() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("days.jsonl", """
            {"visit_id":"d1","event_time":"2025-11-20T23:59:59Z","page":"/a b"}
            {"visit_id":"d2","event_time":"2025-11-21T00:00:00Z","page":"../x"}
            {"visit_id":"d3","event_time":"2025-11-20T08:00:00+02:00"}
            """)
        var config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmin_file_age = \"0s\"")
        config.sinks = [SinkConfig(name: "files", kind: .files(path: fixture.output, partitionBy: "event_time"))]
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let folders = try FileManager.default.contentsOfDirectory(atPath: fixture.output).filter { !$0.hasPrefix("_") }.sorted()
        #expect(folders == ["event_time=2025-11-20", "event_time=2025-11-21"])
        #expect(try fixture.jsonLines(fixture.output + "/event_time=2025-11-20/0-0.jsonl").map { $0["visit_id"] as! String } == ["d1", "d3"])
        #expect(try fixture.outputRows().count == 3)

        // A string value is made safe as one folder name: no separators, no "..".
        #expect(FileSink.folderName("page", .string("../x")) == "page=..%2Fx")
        #expect(FileSink.folderName("page", .string("/a b")) == "page=%2Fa%20b")
        #expect(FileSink.folderName("page", .string("..")) == "page=%..")
        #expect(FileSink.folderName("page", .null) == "page=__null__")
    }

    @Test("a Kafka record's timestamp reaches the rows through the mapping and through a transform", arguments: [true, false])
    func kafkaTimestamp(mapped: Bool) throws {
        // The reader asks librdkafka for each record's timestamp only when something reads
        // `@timestamp`: the mapping, or a transform (`kafka_timestamp()`).
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, producer) = try PipelineFixture.kafka(topic: "visits", partitions: 2)
        try producer.send((0..<6).map { n in
            KafkaOutgoingRecord(topic: "visits", partition: Int32(n % 2), value: Array("{\"id\":\"t\(n)\",\"ts\":1700000000000}".utf8),
                                timestamp: 1_700_000_000_100 + Int64(n))
        })
        let config = try fixture.config("""
            \(PipelineFixture.kafkaSource(broker, mapping: "visit_id = \"id\"\nevent_time = \"\(mapped ? "@timestamp" : "ts")\""))
            [[transform]]
            set = { seen = "\(mapped ? "event_time" : "kafka_timestamp()")" }
            """)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let rows = try fixture.outputRows()
        #expect(rows.count == 6)
        for row in rows {
            let n = try #require(Int((row["visit_id"] as? String ?? "").dropFirst()))
            #expect(row["seen"] as? String == "2023-11-14T22:13:20.10\(n)Z")
            #expect(row["event_time"] as? String == (mapped ? "2023-11-14T22:13:20.10\(n)Z" : "2023-11-14T22:13:20.000Z"))
        }
    }

    @Test("a configured topic the broker does not have stops the run with an error naming it, and is not created")
    func missingTopicIsAnError() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let broker = try EmbeddedKafka()
        try broker.createTopic("visits", partitions: 2)
        let config = try fixture.config("""
            [source.kafka]
            bootstrap_servers = "\(broker.bootstrapServers)"
            topics = ["visits", "vists"]
            """)
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        #expect {
            try engine.run()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.code == .unknownTopicOrPartition && error.message.contains("topic 'vists' in [source.kafka] topics does not exist")
                && error.hint?.contains("Create the topic, or fix the name") == true
        }
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        #expect(try !reader.topicExists("vists"))
    }

    @Test("a batch whose Kafka ranges cannot be read while the broker is down is retried with the same ranges until it commits")
    func brokerOutageRetriesBatch() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, producer) = try PipelineFixture.kafka(topic: "visits", partitions: 1)
        try producer.send((0..<30).map { KafkaOutgoingRecord(topic: "visits", value: Array("{\"id\":\"o\($0)\",\"ts\":1700000000000}".utf8)) })
        let config = try fixture.config("""
            [source.kafka]
            bootstrap_servers = "\(broker.bootstrapServers)"
            topics = ["visits"]
            read_timeout = "1s"
            [source.kafka.mapping]
            visit_id = "id"
            event_time = "ts"
            """)
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        // Batch 0 was planned before the outage: it must run with exactly these ranges.
        try engine.store.writeOffsets(0, BatchPlan(batch: 0, batchTime: "2025-11-20T10:00:00Z",
            kafka: [.init(topic: "visits", partition: 0, start: 0, end: 30)], files: [], dataLoss: []))
        try broker.setAllBrokersDown()
        DispatchQueue.global().asyncAfter(deadline: .now() + 2.5) { try? broker.setAllBrokersUp() }
        let started = ContinuousClock.now
        #expect(try engine.run() >= 1)
        #expect(ContinuousClock.now - started > .seconds(2), "the batch waited for the broker")
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == (0..<30).map { "o\($0)" }.sorted())
        #expect(FileManager.default.fileExists(atPath: fixture.checkpoint + "/commits/0"))
    }

    @Test("a second engine on the same checkpoint refuses to start and names the holder")
    func lockRefusesSecondEngine() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"")
        let first = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        let error = #expect(throws: CheckpointError.self) { _ = try MicroBatchEngine(config: config, logger: PipelineFixture.logger) }
        #expect(error?.description.contains("pid \(getpid())") == true)
        _ = first
    }
}
