import Dispatch
import Foundation
import Kafka
import Synchronization
import Testing
@testable import Tributary

/// Runs the bad-input corpus (Tests/TributaryTests/BadInput, made by
/// scripts/make-bad-input-corpus) and a topic of bad Kafka values through one running engine.
@Suite("Bad input corpus", .timeLimit(.minutes(4)))
struct BadInputCorpusTests {
    @Test("every bad record is dead-lettered once with its exact reason and origin, every good one written once, and the engine keeps going")
    func corpusThroughTheEngine() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let corpus = try Self.corpusFolder()
        var expected = try Self.expectedCorpus(corpus)
        let names = expected.keys.sorted()
        for (index, name) in names.enumerated() {
            // Distinct mtimes in the past: taken in a fixed order, never held back as too young.
            let path = fixture.incoming + "/" + name
            try FileManager.default.copyItem(atPath: corpus + "/" + name, toPath: path)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(Double(index) - 600)], ofItemAtPath: path)
        }
        for (name, file) in try Self.writeGeneratedFiles(fixture) { expected[name] = file }

        let broker = try EmbeddedKafka()
        try broker.createTopic("events", partitions: 1)
        let kafka = Self.kafkaCases()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        try producer.send(kafka.map { KafkaOutgoingRecord(topic: "events", partition: 0, key: $0.key.map { Array($0.utf8) }, value: $0.value) })

        let config = try fixture.config("""
            [source.kafka]
            bootstrap_servers = "\(broker.bootstrapServers)"
            topics = ["events"]
            max_offsets_per_trigger = 4
            [source.files]
            path = "\(fixture.incoming)"
            max_files_per_trigger = 6
            min_file_age = "0s"
            """, trigger: "100ms")
        let running = EngineThread(config: config)
        var stopped = false
        defer { if !stopped { _ = running.stop() } }

        let goodCount = expected.values.map(\.good.count).reduce(0, +) + kafka.filter { $0.reason == nil }.count
        let letterCount = expected.values.map(\.letters.count).reduce(0, +) + kafka.filter { $0.reason != nil }.count
        let drained = try waitUntil(.seconds(90)) {
            try fixture.outputRows().count >= goodCount && fixture.deadLetterEntries().count >= letterCount
        }
        #expect(drained, "the corpus was not fully processed in time")

        // Still running after all that: a file dropped now is taken by a later batch of the same run.
        try fixture.drop("after.jsonl", "{\"visit_id\":\"after-1\",\"event_time\":\"2025-11-20T12:00:00Z\"}\n")
        let tookNewFile = try waitUntil(.seconds(30)) { try fixture.outputRows().contains { $0["visit_id"] as? String == "after-1" } }
        #expect(tookNewFile, "the engine stopped taking new files after the bad input")
        let outcome = running.stop()
        stopped = true
        let batches = try outcome.get()
        #expect(batches >= 2)

        // Every good record exactly once.
        let ids = try fixture.outputRows().map { $0["visit_id"] as? String ?? "?" }
        let expectedIDs = expected.values.flatMap(\.good) + kafka.compactMap { $0.reason == nil ? $0.id : nil } + ["after-1"]
        #expect(ids.sorted() == expectedIDs.sorted())
        #expect(Set(ids).count == ids.count, "a record was written twice")

        // Every bad record exactly once, with its exact reason, stage, origin and raw bytes.
        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == letterCount)
        var fileLetters: [String: [[String: Any]]] = [:]
        var kafkaLetters: [Int: [[String: Any]]] = [:]
        for letter in letters {
            let source = letter["source"] as? [String: Any] ?? [:]
            if source["type"] as? String == "kafka" {
                kafkaLetters[source["offset"] as? Int ?? -1, default: []].append(letter)
            } else {
                let path = source["file"] as? String ?? ""
                fileLetters[String(path.split(separator: "/").last ?? ""), default: []].append(letter)
                #expect(path == fixture.incoming + "/" + (path.split(separator: "/").last ?? ""))
            }
            #expect(letter["batch"] is Int && letter["time"] is String)
        }
        for name in expected.keys.sorted() {
            let want = expected[name]!.letters
            let got = fileLetters[name] ?? []
            #expect(got.count == want.count, "\(name): \(got.count) dead letters, expected \(want.count)")
            for letter in want {
                let matches = got.filter { (($0["source"] as? [String: Any])?["line"] as? Int) == letter.line }
                #expect(matches.count == 1, "\(name) line \(letter.line): \(matches.count) dead letters")
                guard let found = matches.first else { continue }
                #expect(found["reason"] as? String == letter.reason, "\(name) line \(letter.line)")
                #expect(found["stage"] as? String == letter.stage, "\(name) line \(letter.line)")
                #expect((found["source"] as? [String: Any])?["byte_offset"] as? Int == letter.byteOffset, "\(name) line \(letter.line)")
                #expect(found["raw"] as? String == letter.raw, "\(name) line \(letter.line)")
                #expect(found["raw_base64"] as? String == letter.rawBase64, "\(name) line \(letter.line)")
                #expect(found["length"] as? Int == letter.length, "\(name) line \(letter.line)")
            }
        }
        for (offset, record) in kafka.enumerated() {
            let got = kafkaLetters[offset] ?? []
            guard let reason = record.reason else {
                #expect(got.isEmpty, "offset \(offset) is a good record")
                continue
            }
            #expect(got.count == 1, "offset \(offset): \(got.count) dead letters")
            guard let found = got.first, let source = found["source"] as? [String: Any] else { continue }
            #expect(found["reason"] as? String == reason, "offset \(offset)")
            #expect(found["stage"] as? String == "decode", "offset \(offset)")
            #expect(source["topic"] as? String == "events" && source["partition"] as? Int == 0)
            #expect(source["key"] as? String == record.key, "offset \(offset)")
            let raw = record.value ?? []
            if let text = String(validating: raw, as: UTF8.self) {
                #expect(found["raw"] as? String == text, "offset \(offset)")
            } else {
                #expect(found["raw_base64"] as? String == Data(raw).base64EncodedString(), "offset \(offset)")
            }
        }

        // The accounts balance in every report, and add up to what went in.
        let reports = try fixture.progressReports()
        var read: [String: Int] = [:]
        for report in reports {
            for (source, value) in report["sources"] as? [String: [String: Any]] ?? [:] {
                let rowsRead = value["rows_read"] as? Int ?? -1
                let accounted = (value["rows_written"] as? Int ?? 0) + (value["rows_filtered"] as? Int ?? 0) + (value["rows_dead_lettered"] as? Int ?? 0)
                #expect(rowsRead == accounted, "batch \(report["batch"] ?? "?"), \(source)")
                read[source, default: 0] += rowsRead
            }
        }
        let fileRecords = expected.values.map { $0.good.count + $0.letters.count }.reduce(0, +) + 1
        #expect(read["files"] == fileRecords, "blank lines are not records; every other line or element is read once")
        #expect(read["kafka"] == kafka.count)
        #expect(reports.count == batches, "reports kept: \(reports.count) of \(batches) batches")
    }

    // MARK: - Kafka values

    /// One Kafka record: its value, and the reason it is dead-lettered (nil: a good record).
    struct KafkaCase {
        var key: String?
        var value: [UInt8]?
        var reason: String?
        var id: String?
    }

    static func kafkaCases() -> [KafkaCase] {
        func good(_ id: String, prefix: [UInt8] = []) -> KafkaCase {
            KafkaCase(key: id, value: prefix + Array("{\"visit_id\":\"\(id)\",\"event_time\":\"2025-11-20T10:00:00Z\"}".utf8), id: id)
        }
        func bad(_ key: String?, _ value: [UInt8]?, _ reason: String) -> KafkaCase { KafkaCase(key: key, value: value, reason: reason) }
        return [
            good("k-1"),
            bad("user-7", nil, "record has a null value (a tombstone), not a JSON object"),
            bad(nil, [], "not a JSON object (got an empty record)"),
            bad("k", Array("   \n".utf8), "not a JSON object (got only whitespace)"),
            good("k-2"),
            bad(nil, Array("hello world".utf8), "invalid JSON at byte 0: expected a value, found 'h'"),
            bad(nil, Array("<visit id=\"3\"/>".utf8), "invalid JSON at byte 0: expected a value, found '<'"),
            bad(nil, [0x00, 0x01, 0xFF, 0x7B], "invalid JSON at byte 0: expected a value, found byte 0x00"),
            bad(nil, Array("42".utf8), "not a JSON object (got number)"),
            bad(nil, Array("{\"visit_id\":\"k-cut\"".utf8), "invalid JSON at byte 19: unexpected end of input"),
            // Some producers start each value with a byte-order mark; it is ignored as in files.
            good("k-bom", prefix: [0xEF, 0xBB, 0xBF]),
            good("k-3"),
        ]
    }

    // MARK: - Corpus files

    /// What one input file must produce.
    struct ExpectedFile {
        struct Letter {
            var line: Int
            var byteOffset: Int
            var stage: String
            var reason: String
            var raw: String?
            var rawBase64: String?
            var length: Int?
        }

        var good: [String]
        var letters: [Letter]
    }

    static func corpusFolder() throws -> String {
        try #require(Bundle.module.url(forResource: "BadInput", withExtension: nil)).path
    }

    /// `expected.json`, as written by scripts/make-bad-input-corpus.
    static func expectedCorpus(_ folder: String) throws -> [String: ExpectedFile] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        return try object.mapValues { file in
            let letters = try #require(file["dead_letters"] as? [[String: Any]]).map { entry in
                ExpectedFile.Letter(
                    line: entry["line"] as? Int ?? -1, byteOffset: entry["byte_offset"] as? Int ?? -1,
                    stage: entry["stage"] as? String ?? "", reason: entry["reason"] as? String ?? "",
                    raw: entry["raw"] as? String, rawBase64: entry["raw_base64"] as? String)
            }
            return ExpectedFile(good: try #require(file["good"] as? [String]), letters: letters)
        }
    }

    /// The cases too big to commit, written into the input folder; returns what each must produce.
    static func writeGeneratedFiles(_ fixture: PipelineFixture) throws -> [String: ExpectedFile] {
        func record(_ id: String, _ extra: String = "") -> String {
            "{\"visit_id\":\"\(id)\",\"event_time\":\"2025-11-20T10:00:00Z\"\(extra)}"
        }
        // A 50 MiB line between two good ones: over max_record_bytes (1 MiB by default).
        let hugeSize = 50 << 20
        let first = record("h-1") + "\n"
        let head = "{\"visit_id\":\"h-huge\",\"event_time\":\"2025-11-20T10:00:00Z\",\"page\":\""
        var huge = Data(first.utf8)
        huge.append(Data(head.utf8))
        huge.append(Data(repeating: UInt8(ascii: "x"), count: hugeSize - head.utf8.count - 2))
        huge.append(Data("\"}\n".utf8))
        huge.append(Data((record("h-2") + "\n").utf8))
        try huge.write(to: URL(fileURLWithPath: fixture.incoming + "/huge-line.jsonl"))
        let hugePrefix = head + String(repeating: "x", count: 256 - head.utf8.count)
        let hugeLetter = ExpectedFile.Letter(
            line: 2, byteOffset: first.utf8.count, stage: "decode",
            reason: "record of \(hugeSize) bytes is longer than max_record_bytes (1048576); only its first 256 bytes are kept here",
            raw: hugePrefix, length: hugeSize)

        // 10 000 levels of arrays, and of objects, in keys no field reads: rejected at the
        // nesting limit, without recursion.
        let arrays = record("dn-arrays").dropLast() + ",\"nest\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        let objects = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let deepLines = [record("dn-1"), String(arrays), objects, record("dn-2")]
        try fixture.drop("deep-nesting.jsonl", deepLines.joined(separator: "\n") + "\n")
        let arraysStart = arrays.utf8.count - 20_001
        let deepLetters = [
            ExpectedFile.Letter(line: 2, byteOffset: deepLines[0].utf8.count + 1, stage: "decode",
                                reason: "invalid JSON at byte \(arraysStart + 511): nesting deeper than 512 levels", raw: String(arrays)),
            ExpectedFile.Letter(line: 3, byteOffset: deepLines[0].utf8.count + arrays.utf8.count + 2, stage: "decode",
                                reason: "invalid JSON at byte \(5 * 512): nesting deeper than 512 levels", raw: objects),
        ]
        return [
            "huge-line.jsonl": ExpectedFile(good: ["h-1", "h-2"], letters: [hugeLetter]),
            "deep-nesting.jsonl": ExpectedFile(good: ["dn-1", "dn-2"], letters: deepLetters),
        ]
    }
}

/// Polls `condition` every 100 ms until it holds or `limit` passes; returns whether it held.
private func waitUntil(_ limit: Duration, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(100_000)
    }
    return try condition()
}

/// An engine running on a thread of its own, as the service runs it, until `stop()`.
private final class EngineThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let outcome = Mutex<Result<Int, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(config: TributaryConfig) {
        Thread.detachNewThread { [self] in
            let result = Result { try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run(shouldStop: { self.stopRequested.load(ordering: .relaxed) }) }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    /// Asks the loop to stop after the batch in flight; returns how the run ended.
    func stop() -> Result<Int, any Error> {
        stopRequested.store(true, ordering: .relaxed)
        finished.wait()
        return outcome.withLock { $0! }
    }
}
