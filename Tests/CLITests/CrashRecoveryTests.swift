import Foundation
import Kafka
import Testing

/// Kills a real `tributary run` with SIGKILL at random moments, restarts it each time, and
/// checks that once the input is drained every good record is in the file output exactly
/// once, every bad record in the dead letters exactly once, and every good record in the
/// Kafka output at least once. Both sources carry duplicates of earlier records in later
/// batches, which a `dedupe` step drops: its state must survive every kill.
@Suite("Crash recovery", .timeLimit(.minutes(10)))
struct CrashRecoveryTests {
    /// `TRIBUTARY_CRASH_KILLS` (default 50): how many SIGKILLs one run of the test sends.
    static let kills = Int(ProcessInfo.processInfo.environment["TRIBUTARY_CRASH_KILLS"] ?? "") ?? 50

    @Test("SIGKILL at random points, both sources, file and Kafka sinks, dedupe: exactly once in files and dead letters, at least once in Kafka")
    func killRepeatedly() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        let incoming = root.appendingPathComponent("incoming").path
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }

        // Input: 24 hourly files (one gzip-free split candidate each) and 600 Kafka events,
        // with known bad records in both.
        var goodIDs: Set<String> = []
        var badRaw: [String] = []
        // Records whose key an earlier batch already had: dedupe must drop them.
        var duplicatesInInput = 0
        // More kills need more input, or the pipeline drains first: a run between two kills
        // commits about seven batches.
        let scale = max(1, Self.kills / 12)
        let hours = 24 * scale
        for hour in 0..<hours {
            var lines: [String] = []
            for n in 0..<60 {
                let id = "f\(hour)-\(n)"
                if n == 59 && hour > 0 {
                    // The previous file's first visit again: taken by an earlier batch.
                    lines.append("{\"visit_id\":\"f\(hour - 1)-0\",\"event_time\":\"2025-11-20T00:00:00Z\",\"page\":\"/again\"}")
                    duplicatesInInput += 1
                } else if n == 17 {
                    let bad = "{\"visit_id\":\"\(id)\",\"event_time\":\"not-a-time\"}"
                    lines.append(bad)
                    badRaw.append(bad)
                } else {
                    lines.append("{\"visit_id\":\"\(id)\",\"event_time\":\"2025-11-20T\(String(format: "%02d", hour % 24)):00:00Z\",\"page\":\"/p\(n)\"}")
                    goodIDs.insert(id)
                }
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(incoming)/h\(hour).jsonl"))
        }
        var events: [String] = []
        for n in 0..<(600 * scale) {
            if n % 10 == 3 && n >= 50 && (n - 49) % 97 != 5 {
                // An event 49 offsets back again (about two batches later, same source).
                events.append("{\"id\":\"k\(n - 49)\",\"ts\":\(1_700_000_000_000 + n)}")
                duplicatesInInput += 1
            } else if n % 50 == 7 {
                // A file's visit seen again on Kafka: dedupe spans both sources.
                events.append("{\"id\":\"f\((n / 50) % hours)-1\",\"ts\":\(1_700_000_000_000 + n)}")
                duplicatesInInput += 1
            } else if n % 97 == 5 {
                let bad = "{\"id\":\"k\(n)\",\"ts\":\"soon\"}"
                events.append(bad)
                badRaw.append(bad)
            } else {
                events.append("{\"id\":\"k\(n)\",\"ts\":\(1_700_000_000_000 + n)}")
                goodIDs.insert("k\(n)")
            }
        }
        let eventsFile = root.appendingPathComponent("events.jsonl").path
        try Data((events.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: eventsFile))

        let (broker, brokerOut, _) = try ChildProcess.start(ChildProcess.tributaryPath, ["broker", "--topic", "visits:3", "--topic", "visits-out:3", "--load", "visits=\(eventsFile)"])
        defer { broker.terminate(); broker.waitUntilExit() }
        let bootstrap = ChildProcess.firstLine(of: brokerOut)

        let config = root.appendingPathComponent("crash.toml").path
        try Data(TestPipeline.toml(fields: #"{ name = "page", type = "string" },"#, sources: """
            [source.kafka]
            bootstrap_servers = "\(bootstrap)"
            topics = ["visits"]
            max_offsets_per_trigger = 20
            [source.kafka.mapping]
            visit_id = "id"
            event_time = "ts"
            [source.files]
            path = "incoming"
            max_files_per_trigger = 1
            max_bytes_per_trigger = 1500
            min_file_age = "0s"

            [[transform]]
            dedupe = { key = ["visit_id"], within = "1h" }
            """, sink: """
            [[sink]]
            type = "files"
            path = "output"

            [[sink]]
            type = "kafka"
            bootstrap_servers = "\(bootstrap)"
            topic = "visits-out"
            key = "visit_id"
            """).utf8).write(to: URL(fileURLWithPath: config))

        let started = ContinuousClock.now
        var environment = ProcessInfo.processInfo.environment
        environment["TRIBUTARY_TEST_PHASE_DELAY_MS"] = "15"
        var killed = 0
        var uncommittedAfterKill = 0
        var runs = 0
        while killed < Self.kills {
            runs += 1
            #expect(runs < Self.kills * 3, "the pipeline drained before \(Self.kills) kills; make the input larger")
            if runs >= Self.kills * 3 { break }
            let process = try runPipeline(config: config, environment: environment)
            usleep(UInt32.random(in: 150_000...600_000))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                #expect(process.terminationReason == .uncaughtSignal)
                killed += 1
                if try latest(root.appendingPathComponent("checkpoint/offsets").path) != latest(root.appendingPathComponent("checkpoint/commits").path) {
                    uncommittedAfterKill += 1
                }
            } else {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
            }
        }
        // Drain without interruption.
        let final = try runPipeline(config: config, environment: environment)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        #expect(killed >= Self.kills)
        #expect(uncommittedAfterKill > 0, "at least one kill landed between write-ahead and commit")
        // A start sweeps the temp files that kills left behind.
        for folder in ["output", "output/_manifest", "dead-letter", "checkpoint", "checkpoint/offsets", "checkpoint/commits"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            #expect(!names.contains { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }, "stale temp files in \(folder): \(names)")
        }

        // Every good record once in the committed output; every bad one once in dead letters.
        let output = root.appendingPathComponent("output").path
        var seen: [String: Int] = [:]
        var where_: [String: [String]] = [:]
        // Hidden names are temp files of writes a kill interrupted: not part of the output.
        for manifest in try FileManager.default.contentsOfDirectory(atPath: output + "/_manifest") where !manifest.hasPrefix(".") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(output)/_manifest/\(manifest)"))) as! [String: Any]
            for file in object["files"] as! [[String: Any]] {
                for line in try String(contentsOfFile: "\(output)/\(file["path"] as! String)", encoding: .utf8).split(separator: "\n") {
                    let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                    seen[row["visit_id"] as! String, default: 0] += 1
                    where_[row["visit_id"] as! String, default: []].append(file["path"] as! String)
                }
            }
        }
        #expect(Set(seen.keys) == goodIDs)
        let duplicates = seen.filter { $0.value > 1 }.keys.sorted()
        if !duplicates.isEmpty { keep = true }
        #expect(duplicates.isEmpty, "duplicates: \(duplicates.prefix(10).map { "\($0) in \(where_[$0]!)" }); kept \(root.path)")
        var lettered: [String: Int] = [:]
        let deadLetters = root.appendingPathComponent("dead-letter").path
        for file in try FileManager.default.contentsOfDirectory(atPath: deadLetters) where file.hasSuffix(".jsonl") && !file.hasPrefix(".") {
            for line in try String(contentsOfFile: "\(deadLetters)/\(file)", encoding: .utf8).split(separator: "\n") {
                let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                lettered[entry["raw"] as! String, default: 0] += 1
            }
        }
        #expect(Set(lettered.keys) == Set(badRaw))
        #expect(lettered.values.allSatisfy { $0 == 1 })
        #expect(duplicatesInInput > 100)

        // The Kafka sink: every good record at least once. A batch that ran again after a
        // kill produced the same records under the same batch header, so dropping repeats by
        // (tributary.batch, key) leaves each record exactly once.
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
        let partitions = (0..<3).map { TopicPartition("visits-out", Int32($0)) }
        let marks = try reader.watermarks(of: partitions)
        let records = try await reader.readAll(partitions.map { PartitionRange($0.topic, $0.partition, start: marks[$0]!.low, end: marks[$0]!.high) })
        var produced: [String: Int] = [:]
        var byBatchAndKey: [String: Set<String>] = [:]
        for record in records {
            let row = try JSONSerialization.jsonObject(with: Data(record.value ?? [])) as! [String: Any]
            let id = row["visit_id"] as! String
            produced[id, default: 0] += 1
            #expect(record.key.map { String(decoding: $0, as: UTF8.self) } == id)
            let batch = record.headers.first { $0.name == "tributary.batch" }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
            byBatchAndKey[id, default: []].insert(try #require(batch, "a record without tributary.batch"))
        }
        #expect(Set(produced.keys) == goodIDs, "missing from Kafka: \(goodIDs.subtracting(produced.keys).sorted().prefix(10)); unexpected: \(Set(produced.keys).subtracting(goodIDs).sorted().prefix(10))")
        let inSeveralBatches = byBatchAndKey.filter { $0.value.count > 1 }.keys.sorted()
        #expect(inSeveralBatches.isEmpty, "produced by more than one batch: \(inSeveralBatches.prefix(10))")
        let elapsed = ContinuousClock.now - started
        print("crash recovery: \(killed) kills in \(runs) runs, \(uncommittedAfterKill) between write-ahead and commit, \(records.count) Kafka records for \(goodIDs.count) ids, \(elapsed)")
    }

    private func runPipeline(config: String, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.tributaryPath)
        process.arguments = ["run", "--config", config, "--log-level", "error"]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func latest(_ folder: String) throws -> Int? {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { Int($0) }.max()
    }
}
