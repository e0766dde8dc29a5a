import Foundation
import Glibc
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import Tributary
@testable import tributary

/// A temp folder with a files-source pipeline (available-now, file sink).
private struct ServiceHTTPWorkspace {
    let root: String
    var checkpoint: String { root + "/checkpoint" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-http-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes an input file modified a minute ago, so that no listing holds it back.
    func drop(_ name: String, _ lines: [String]) throws {
        let path = root + "/incoming/" + name
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: path)
    }

    /// The pipeline's configuration, with `extra` appended (top-level keys go in `top`).
    func config(top: String = "", extra: String = "") throws -> TributaryConfig {
        let text = TestPipeline.toml(top: top, sources: TestPipeline.filesSource, sink: "[sink.files]\npath = \"output\"\n" + extra)
        let file = root + "/pipeline.toml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return try ConfigLoader.load(file: file)
    }

    /// Every kept progress report: batch → its file's text.
    func progressFiles() throws -> [Int64: String] {
        let folder = checkpoint + "/progress"
        var reports: [Int64: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            guard let batch = Int64(name) else { continue }
            reports[batch] = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        return reports
    }
}

/// A deliberately tiny blocking HTTP/1.1 client over a socket (URLSession is unreliable on
/// Linux in tests): one request, then read until the server closes.
enum ServiceHTTPClient {
    struct Response {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A connected socket to 127.0.0.1:`port`, with 5 s timeouts so that a test never hangs.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(message)")
        }
        return fd
    }

    static func request(_ method: String, _ path: String, port: Int, body: String = "") throws -> Response {
        let fd = try connect(port: port)
        defer { close(fd) }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += count
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            received += chunk[..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no header end in \(text.debugDescription)") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// True when a connection to the port is accepted.
    static func accepts(port: Int) -> Bool {
        guard let fd = try? connect(port: port) else { return false }
        close(fd)
        return true
    }
}

/// The samples of a Prometheus text exposition, checked while parsing: every line is a
/// comment (`# HELP`, `# TYPE`) or `name{labels} value`, and every sample's metric has a
/// `# TYPE` line.
private struct ServiceHTTPExposition {
    /// `name{labels}` as written → value.
    var samples: [String: Double] = [:]
    /// Metric name → type.
    var types: [String: String] = [:]

    init(_ text: String) throws {
        let sample = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (\S+)$"#)
        let type = try Regex(#"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"#)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("#") {
                if let match = try type.wholeMatch(in: line) {
                    let name = String(match.output[1].substring!)
                    #expect(types[name] == nil, "two # TYPE lines for \(name)")
                    types[name] = String(match.output[2].substring!)
                } else {
                    #expect(line.hasPrefix("# HELP "), "unexpected comment: \(line)")
                }
                continue
            }
            let match = try #require(try sample.wholeMatch(in: line), "not a sample line: \(line)")
            let name = String(match.output[1].substring!)
            let value = try #require(Double(String(match.output[3].substring!)), "not a number: \(line)")
            let family = types[name] != nil ? name : ["_bucket", "_sum", "_count"].compactMap { suffix in
                name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : nil
            }.first { types[$0] == "histogram" }
            #expect(family != nil, "no # TYPE for \(name)")
            samples[name + String(match.output[2].substring ?? "")] = value
        }
    }
}

/// Log lines, kept for assertions.
private final class ServiceHTTPLogLines: Sendable {
    let lines = Mutex<[String]>([])
}

/// A log handler that keeps each message with its level.
private struct ServiceHTTPLogCapture: LogHandler {
    let sink: ServiceHTTPLogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
}

/// Runs `body` on a thread of its own: the engine blocks, the cooperative pool must not.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

private let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()

@Suite("HTTP endpoint and pipeline metrics", .timeLimit(.minutes(4)))
struct ServiceHTTPTests {
    @Test("metrics, status and health after a real run; 404, 405; graceful shutdown closes the port")
    func afterARealRun() async throws {
        let space = try ServiceHTTPWorkspace()
        defer { space.remove() }
        try space.drop("a.jsonl", [
            #"{"visit_id":"a1","event_time":"2025-11-20T10:00:00Z"}"#,
            #"{"visit_id":"a2","event_time":"2025-11-20T10:00:01Z"}"#,
        ])
        try space.drop("b.jsonl", [
            #"{"visit_id":"b1","event_time":"2025-11-20T10:00:02Z"}"#,
            #"{"visit_id":"b2","event_time":"yesterday"}"#,
            #"{"visit_id":"b3","event_time":"2025-11-20T10:00:03Z"}"#,
        ])
        try space.drop("c.jsonl", [#"{"visit_id":"c1","event_time":"2025-11-20T10:00:04Z"}"#])
        let config = try space.config(extra: "[http]\nlisten = \"127.0.0.1:0\"")
        let monitor = EngineMonitor()
        let metrics = PipelineMetrics(monitor: monitor, config: config)
        let batches = try await onThread {
            try MicroBatchEngine(config: config, logger: quietLogger, monitor: monitor).run()
        }
        #expect(batches == 3)

        let logs = ServiceHTTPLogLines()
        let endpointLogger = Logger(label: "tributary.http") { _ in ServiceHTTPLogCapture(sink: logs) }
        let listen = try #require(config.httpListen)
        let address = try #require(HTTPAddress(listen))
        let endpoint = HTTPEndpoint(address: address, monitor: monitor, metrics: metrics, stallTimeout: config.stallTimeout, logger: endpointLogger)
        let group = ServiceGroup(services: [endpoint], logger: quietLogger)
        let running = Task { try await group.run() }
        let port = try await endpoint.boundPort()
        #expect(port > 0)
        #expect(logs.lines.withLock { $0 } == ["notice HTTP endpoint listening on 127.0.0.1:\(port)"])

        let reports = try space.progressFiles()
        let objects = try reports.mapValues { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        func filesCount(_ key: String) -> Double {
            Double(objects.values.reduce(0) { $0 + ((($1["sources"] as? [String: Any])?["files"] as? [String: Any])?[key] as? Int ?? 0) })
        }
        let lastBatch = try #require(reports.keys.max())
        #expect(reports.count == 3 && lastBatch == 2)

        let scrape = try ServiceHTTPClient.request("GET", "/metrics", port: port)
        #expect(scrape.status == 200)
        #expect(scrape.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(scrape.headers["connection"] == "close")
        let exposition = try ServiceHTTPExposition(scrape.body)
        #expect(exposition.samples[#"tributary_rows_read_total{source="files"}"#] == filesCount("rows_read"))
        #expect(exposition.samples[#"tributary_rows_read_total{source="files"}"#] == 6)
        #expect(exposition.samples[#"tributary_rows_dead_lettered_total{source="files"}"#] == filesCount("rows_dead_lettered"))
        #expect(exposition.samples[#"tributary_rows_dead_lettered_total{source="files"}"#] == 1)
        #expect(exposition.samples[#"tributary_rows_written_total{source="files"}"#] == filesCount("rows_written"))
        #expect(exposition.samples[#"tributary_sink_rows_written_total{sink="\#(config.sinks[0].name)"}"#] == 5)
        #expect(exposition.samples["tributary_last_committed_batch"] == Double(lastBatch))
        #expect(exposition.samples["tributary_batches_committed_total"] == 3)
        #expect(exposition.samples["tributary_batch_duration_seconds_count"] == 3)
        #expect(exposition.samples["tributary_ready"] == 1)
        #expect(exposition.samples["tributary_failing"] == 0)
        #expect(exposition.samples["tributary_failures_total"] == 0)
        #expect(exposition.samples["tributary_rows_unrouted_total"] == 0)
        #expect((exposition.samples["tributary_uptime_seconds"] ?? -1) > 0)
        for (name, type) in [
            ("tributary_rows_read_total", "counter"), ("tributary_rows_written_total", "counter"),
            ("tributary_rows_filtered_total", "counter"), ("tributary_rows_dead_lettered_total", "counter"),
            ("tributary_rows_unrouted_total", "counter"), ("tributary_sink_rows_written_total", "counter"),
            ("tributary_batch_duration_seconds", "histogram"), ("tributary_last_committed_batch", "gauge"),
            ("tributary_batches_committed_total", "counter"), ("tributary_failing", "gauge"),
            ("tributary_failures_total", "counter"), ("tributary_uptime_seconds", "gauge"), ("tributary_ready", "gauge"),
        ] {
            #expect(exposition.types[name] == type, "\(name)")
        }

        let status = try ServiceHTTPClient.request("GET", "/status?pretty=no", port: port)
        #expect(status.status == 200)
        #expect(status.headers["content-type"] == "application/json")
        #expect(status.body.trimmingCharacters(in: .whitespacesAndNewlines) == reports[lastBatch]?.trimmingCharacters(in: .whitespacesAndNewlines))

        let health = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        #expect(health.status == 200 && health.body == "ok\n")

        let unknown = try ServiceHTTPClient.request("GET", "/nope", port: port)
        #expect(unknown.status == 404)
        #expect(unknown.body.contains("/metrics") && unknown.body.contains("/healthz") && unknown.body.contains("/status"))
        let post = try ServiceHTTPClient.request("POST", "/metrics", port: port, body: "ignored")
        #expect(post.status == 405 && post.headers["allow"] == "GET")

        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        try await running.value
        // Under the 10 s idle-connection timeout a hung shutdown would wait for, with room for
        // a loaded 2-core machine running the rest of the suite (6.4 s seen once while the
        // crash test ran beside it).
        #expect(clock.now - start < .seconds(8))
        #expect(!ServiceHTTPClient.accepts(port: port))
    }

    @Test("healthz: 503 before ready, 503 with the reason once failing for longer than the stall timeout")
    func unhealthy() async throws {
        let space = try ServiceHTTPWorkspace()
        defer { space.remove() }
        let config = try space.config(top: #"stall_timeout = "1ms""#, extra: "[http]\nlisten = \"127.0.0.1:0\"")
        let monitor = EngineMonitor()
        let metrics = PipelineMetrics(monitor: monitor, config: config)
        let endpoint = try #require(HTTPEndpoint(config: config, monitor: monitor, metrics: metrics))
        #expect(endpoint.routes.stallTimeout == .milliseconds(1))
        let running = Task { try await endpoint.run() }
        let port = try await endpoint.boundPort()

        let early = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        #expect(early.status == 503 && early.body == "not ready yet\n")
        let empty = try ServiceHTTPClient.request("GET", "/status", port: port)
        #expect(empty.status == 200 && empty.body == "{}\n")

        monitor.ready()
        monitor.failing("Kafka is unavailable: all brokers down")
        try await Task.sleep(for: .milliseconds(20))
        let failing = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        #expect(failing.status == 503)
        #expect(failing.body.hasPrefix("failing since "))
        #expect(failing.body.hasSuffix(" s: Kafka is unavailable: all brokers down\n"))
        let exposition = try ServiceHTTPExposition(try ServiceHTTPClient.request("GET", "/metrics", port: port).body)
        #expect(exposition.samples["tributary_failing"] == 1)
        #expect(exposition.samples["tributary_failures_total"] == 1)
        #expect(exposition.samples["tributary_ready"] == 1)
        #expect(exposition.samples["tributary_last_committed_batch"] == nil)

        // Outside a ServiceGroup, cancellation stops it too.
        running.cancel()
        try await running.value
        #expect(!ServiceHTTPClient.accepts(port: port))
    }

    @Test("metrics from monitor events: Kafka lag per partition, replay rows, sinks, durations, failures")
    func fromEvents() throws {
        let space = try ServiceHTTPWorkspace()
        defer { space.remove() }
        let monitor = EngineMonitor()
        let metrics = PipelineMetrics(monitor: monitor, config: try space.config())
        var outcome = BatchRunner.Outcome()
        var kafka = SourceCounts()
        (kafka.read, kafka.written, kafka.filtered, kafka.deadLettered) = (10, 5, 2, 1)
        var replay = SourceCounts()
        (replay.read, replay.written) = (3, 3)
        outcome.counts = ["kafka": kafka, "replay": replay]
        outcome.unrouted = 2
        outcome.sinkCounts = ["out": 8, "docs": 3]
        let plan = BatchPlan(batch: 7, batchTime: "2025-11-20T10:00:00.000000Z", kafka: [
            .init(topic: "visits", partition: 0, start: 0, end: 40),
            .init(topic: "visits", partition: 1, start: 5, end: 5),
            .init(topic: "visits", partition: 2, start: 0, end: 9),
        ], files: [], dataLoss: [])
        let report = ProgressReport(
            // `transform` and `write` happen during `read`: a batch's duration leaves them out.
            plan: plan, outcome: outcome,
            durations: ["read": .milliseconds(30), "transform": .milliseconds(55), "write": .milliseconds(12), "sink": .milliseconds(15)],
            latestOffsets: [TopicPartition("visits", 0): 100, TopicPartition("visits", 1): 5])
        monitor.ready()
        monitor.failing("Kafka is unavailable: down")
        monitor.failing("Kafka is unavailable: still down")
        var exposition = try ServiceHTTPExposition(String(decoding: metrics.render(), as: UTF8.self))
        #expect(exposition.samples["tributary_failing"] == 1)
        #expect(exposition.samples["tributary_failures_total"] == 2)

        monitor.committed(report, json: report.jsonLine())
        exposition = try ServiceHTTPExposition(String(decoding: metrics.render(), as: UTF8.self))
        #expect(exposition.samples["tributary_failing"] == 0)
        #expect(exposition.samples[#"tributary_kafka_lag{topic="visits",partition="0"}"#] == 60)
        #expect(exposition.samples[#"tributary_kafka_lag{topic="visits",partition="1"}"#] == 0)
        // No high watermark known for partition 2: no made-up value.
        #expect(exposition.samples[#"tributary_kafka_lag{topic="visits",partition="2"}"#] == nil)
        #expect(exposition.samples[#"tributary_rows_read_total{source="kafka"}"#] == 10)
        #expect(exposition.samples[#"tributary_rows_filtered_total{source="kafka"}"#] == 2)
        #expect(exposition.samples[#"tributary_rows_dead_lettered_total{source="kafka"}"#] == 1)
        #expect(exposition.samples[#"tributary_rows_written_total{source="replay"}"#] == 3)
        #expect(exposition.samples[#"tributary_rows_read_total{source="files"}"#] == 0)
        #expect(exposition.samples["tributary_rows_unrouted_total"] == 2)
        #expect(exposition.samples[#"tributary_sink_rows_written_total{sink="out"}"#] == 8)
        #expect(exposition.samples[#"tributary_sink_rows_written_total{sink="docs"}"#] == 3)
        #expect(exposition.samples[#"tributary_batch_duration_seconds_bucket{le="0.025"}"#] == 0)
        #expect(exposition.samples[#"tributary_batch_duration_seconds_bucket{le="0.05"}"#] == 1)
        #expect(exposition.samples["tributary_batch_duration_seconds_sum"] == 0.045)
        #expect(exposition.samples["tributary_last_committed_batch"] == 7)
        #expect(exposition.samples["tributary_batches_committed_total"] == 1)
        // The systemd status line's rate is over the same 45 ms: 13 rows / 0.045 s.
        #expect(NotifyService.status(report, since: .now) == "batch 7: 13 rows in, 8 written, 1 dead-lettered, 288 rows/s, lag 60")

        // A measured `total` is the batch's duration, whatever the phases add up to.
        let measured = ProgressReport(
            plan: plan, outcome: outcome, durations: ["read": .milliseconds(30), "sink": .milliseconds(15), "total": .milliseconds(70)],
            latestOffsets: [:])
        monitor.committed(measured, json: measured.jsonLine())
        exposition = try ServiceHTTPExposition(String(decoding: metrics.render(), as: UTF8.self))
        #expect(abs((exposition.samples["tributary_batch_duration_seconds_sum"] ?? 0) - 0.115) < 1e-9)
    }

    @Test("the endpoint is off without [http], and a port in use is reported")
    func offAndBindFailure() async throws {
        let space = try ServiceHTTPWorkspace()
        defer { space.remove() }
        let config = try space.config()
        let monitor = EngineMonitor()
        let metrics = PipelineMetrics(monitor: monitor, config: config)
        #expect(HTTPEndpoint(config: config, monitor: monitor, metrics: metrics) == nil)

        let first = HTTPEndpoint(address: HTTPAddress("127.0.0.1:0")!, monitor: monitor, metrics: metrics, stallTimeout: .seconds(1), logger: quietLogger)
        let running = Task { try await first.run() }
        let port = try await first.boundPort()
        let second = HTTPEndpoint(address: HTTPAddress("127.0.0.1:\(port)")!, monitor: monitor, metrics: metrics, stallTimeout: .seconds(1), logger: quietLogger)
        await #expect(throws: HTTPEndpointError.self) { try await second.run() }
        await #expect(throws: (any Error).self) { _ = try await second.boundPort() }
        running.cancel()
        try await running.value
    }
}
