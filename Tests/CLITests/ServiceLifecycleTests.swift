import Foundation
import Testing

/// `tributary run` under a stand-in systemd: the notification protocol, the watchdog, a stop
/// in the middle of a batch, and SIGHUP reloads. Real child processes, real signals.
@Suite("Running as a service", .serialized, .timeLimit(.minutes(4)))
struct ServiceLifecycleTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-svc-\(UUID().uuidString)").path

    func setUp(files: Int, lines: Int = 20) throws {
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        for file in 0..<files { try drop(file, lines: lines) }
    }

    func drop(_ file: Int, lines: Int = 20) throws {
        let text = (0..<lines).map { "{\"visit_id\":\"f\(file)-\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}" }.joined(separator: "\n") + "\n"
        let path = "\(root)/incoming/h\(file).jsonl"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60 + Double(file))], ofItemAtPath: path)
    }

    func writeConfig(trigger: String = "200ms", maxFiles: Int = 1, checkpoint: String = "checkpoint", shutdownTimeout: String = "20s") throws -> String {
        let path = root + "/pipeline.toml"
        try Data(TestPipeline.toml(
            trigger: trigger, checkpoint: checkpoint, top: "shutdown_timeout = \"\(shutdownTimeout)\"",
            sources: TestPipeline.filesSource + "\nmax_files_per_trigger = \(maxFiles)").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func start(_ config: String, environment: [String: String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.tributaryPath)
        process.arguments = ["run", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    func outputIDs() throws -> [String] {
        let folder = root + "/output"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jsonl") }.flatMap { file in
            try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8).split(separator: "\n").map { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["visit_id"] as! String
            }
        }
    }

    @Test("READY only once the checkpoint is locked, STATUS per batch, watchdog pings stop while the loop is wedged, SIGTERM mid-batch: STOPPING, exit 0, nothing lost or doubled")
    func notifyWatchdogAndStop() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try setUp(files: 4)
        let socket = try NotifySocket(folder: root)
        let wedge = root + "/wedge"
        let config = try writeConfig()
        let (process, _) = try start(config, environment: [
            "NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000",
            "TRIBUTARY_TEST_WEDGE_FILE": wedge, "TRIBUTARY_TEST_PHASE_DELAY_MS": "150",
        ])
        defer { if process.isRunning { process.terminate() } }

        let untilReady = socket.receive(until: { $0.contains("READY=1") }, timeout: .seconds(20))
        #expect(untilReady.last?.contains("READY=1") == true, "\(untilReady)")
        let lock = try String(contentsOfFile: root + "/checkpoint/lock", encoding: .utf8)
        #expect(lock.contains("\"pid\":\(process.processIdentifier)") || lock.contains("\"pid\" : \(process.processIdentifier)"), "READY came after the lock was taken: \(lock)")

        let afterReady = socket.receive(until: { $0.contains("STATUS=batch 1:") }, timeout: .seconds(20))
        #expect(afterReady.contains { $0.hasPrefix("STATUS=batch 0: 20 rows in, 20 written, 0 dead-lettered") }, "\(afterReady)")
        #expect(afterReady.contains("WATCHDOG=1"))

        // Wedge the loop: pings stop; unwedge: they come back.
        try Data().write(to: URL(fileURLWithPath: wedge))
        // The wedge takes hold once the batch in flight is done; drain the pings until then.
        _ = socket.receive(until: { _ in false }, timeout: .milliseconds(1_500))
        let whileWedged = socket.receive(until: { _ in false }, timeout: .milliseconds(1_200))
        #expect(!whileWedged.contains("WATCHDOG=1"), "no pings while wedged: \(whileWedged)")
        try FileManager.default.removeItem(atPath: wedge)
        let afterWedge = socket.receive(until: { $0 == "WATCHDOG=1" }, timeout: .seconds(5))
        #expect(afterWedge.contains("WATCHDOG=1"))

        // A new file, then SIGTERM while its batch is in flight (phase delays make it slow).
        try drop(9)
        _ = socket.receive(until: { _ in false }, timeout: .milliseconds(250))
        process.terminate()
        let stopping = socket.receive(until: { $0.contains("STOPPING=1") }, timeout: .seconds(10))
        #expect(stopping.contains { $0.contains("STOPPING=1") })
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)

        // Whatever was in flight either committed or runs again: drain and count.
        let drain = try writeConfig(trigger: "available-now", maxFiles: 10)
        let (finisher, _) = try start(drain, environment: [:])
        finisher.waitUntilExit()
        #expect(finisher.terminationStatus == 0)
        let ids = try outputIDs()
        #expect(ids.count == 5 * 20)
        #expect(Set(ids).count == ids.count, "no record written twice")
    }

    @Test("SIGHUP: a changed limit applies from the next batch; an invalid file or an unsafe change is refused and logged, the old config stays")
    func reload() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try setUp(files: 1)
        let socket = try NotifySocket(folder: root)
        let config = try writeConfig(trigger: "300ms", maxFiles: 1)
        let run = try BackgroundRun(config: config, environment: ["NOTIFY_SOCKET": socket.path], logs: root + "/run")
        _ = socket.receive(until: { $0.hasPrefix("STATUS=batch 0:") }, timeout: .seconds(20))
        // Each step waits for the log line that shows the last one was handled, so that a slow
        // machine cannot merge two reloads into one.
        func reload(expecting line: String) {
            kill(run.process.processIdentifier, SIGHUP)
            #expect(eventually(within: .seconds(20)) { run.standardError.contains(line) }, "no \"\(line)\" in: \(run.standardError)")
        }

        // An invalid file: refused, the pipeline keeps running with the old limit.
        try Data("this is not toml = = =".utf8).write(to: URL(fileURLWithPath: config))
        reload(expecting: "TOML syntax error")
        #expect(run.standardError.contains("SIGHUP: configuration \(config) refused, the running configuration stays"))
        // An unsafe change (the checkpoint folder): refused at the next batch boundary.
        _ = try writeConfig(trigger: "300ms", maxFiles: 1, checkpoint: "elsewhere")
        reload(expecting: "configuration reload refused, the running configuration stays: checkpoint_dir cannot change while running")
        // A safe change: 3 files per batch from the next batch on.
        _ = try writeConfig(trigger: "300ms", maxFiles: 3)
        reload(expecting: "configuration reloaded")
        for file in 1...3 { try drop(file) }
        let statuses = socket.receive(until: { $0.hasPrefix("STATUS=batch 1:") }, timeout: .seconds(20))
        #expect(statuses.contains { $0.hasPrefix("STATUS=batch 1: 60 rows in") }, "three files in one batch: \(statuses)")
        #expect(run.process.isRunning)
        #expect(run.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/elsewhere"))
    }

    /// Starts a run whose batches are slow (1.5 s at each phase boundary), waits until batch 0
    /// is written ahead, and returns the process and its stderr.
    func startSlowBatch(shutdownTimeout: String) throws -> (Process, Pipe) {
        try setUp(files: 2)
        let socket = try NotifySocket(folder: root)
        let config = try writeConfig(trigger: "200ms", maxFiles: 1, shutdownTimeout: shutdownTimeout)
        let started = try start(config, environment: ["NOTIFY_SOCKET": socket.path, "TRIBUTARY_TEST_PHASE_DELAY_MS": "1500"])
        _ = socket.receive(until: { $0.contains("READY=1") }, timeout: .seconds(20))
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: root + "/checkpoint/offsets/0") && ContinuousClock.now < deadline { usleep(20_000) }
        return started
    }

    /// After an abandoned stop: batch 0 is planned but not committed, and a second run
    /// commits every record exactly once.
    func expectAbandonedThenDrained(_ process: Process, _ errors: Pipe, because reason: String) throws {
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains(reason), "\(log)")
        #expect(log.contains("batch 0 abandoned before its commit"), "\(log)")
        #expect(FileManager.default.fileExists(atPath: root + "/checkpoint/offsets/0"))
        #expect(!FileManager.default.fileExists(atPath: root + "/checkpoint/commits/0"), "abandoned, not committed late")
        let drain = try writeConfig(trigger: "available-now", maxFiles: 10)
        let (finisher, _) = try start(drain, environment: [:])
        finisher.waitUntilExit()
        #expect(finisher.terminationStatus == 0)
        let ids = try outputIDs()
        #expect(ids.count == 40 && Set(ids).count == 40, "every record once: \(ids.count)")
    }

    @Test("a stop that outlasts shutdown_timeout abandons the batch in flight before its commit; exit 0; the next run commits it once")
    func abandonAfterShutdownTimeout() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (process, errors) = try startSlowBatch(shutdownTimeout: "1s")
        process.terminate()
        try expectAbandonedThenDrained(process, errors, because: "stopping: no new batch; the batch in flight has")
    }

    @Test("a second SIGTERM abandons the batch in flight at once, long before shutdown_timeout")
    func secondSignalAbandons() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (process, errors) = try startSlowBatch(shutdownTimeout: "60s")
        let stopped = ContinuousClock.now
        process.terminate()
        usleep(200_000)
        process.terminate()
        process.waitUntilExit()
        #expect(ContinuousClock.now - stopped < .seconds(15), "did not wait for the 60 s shutdown timeout")
        try expectAbandonedThenDrained(process, errors, because: "second stop signal: abandoning the batch in flight")
    }
}
