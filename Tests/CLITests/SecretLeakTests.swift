import Foundation
import Glibc
import Kafka
import Testing

/// Secrets given as `${NAME}` and `${credential:NAME}` never come out: not in `validate`,
/// not in the logs of a trace-level run (librdkafka's own debug lines included), not in the
/// checkpoint, output or dead-letter files, not in `/status` or `/metrics`, and not in the
/// error a failed run ends with.
@Suite("Secrets stay secret", .timeLimit(.minutes(4)))
struct SecretLeakTests {
    /// One random value per place a secret can come from, so that a hit names its origin.
    let secrets: [String: String] = [
        "TRIB_SASL_PASSWORD": "pw-env-\(UUID().uuidString)",
        "TRIB_SASL_USER": "user-env-\(UUID().uuidString)",
        "TRIB_CLIENT_ID": "client-env-\(UUID().uuidString)",
        "TRIB_HIDDEN_PAGE": "/hidden-\(UUID().uuidString)",
        "credential:kafka-sink-password": "pw-credential-\(UUID().uuidString)",
    ]

    /// The secrets found in `text`, by origin.
    func leaks(in text: String) -> [String] {
        secrets.filter { text.contains($0.value) }.keys.sorted()
    }

    /// The environment of the child processes: the `${NAME}` values and a credentials folder.
    func environment(root: String) throws -> [String: String] {
        let credentials = root + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        // systemd credentials usually end with a newline, which the loader strips.
        try Data((secrets["credential:kafka-sink-password"]! + "\n").utf8).write(to: URL(fileURLWithPath: credentials + "/kafka-sink-password"))
        var environment = secrets.filter { !$0.key.hasPrefix("credential:") }
        environment["CREDENTIALS_DIRECTORY"] = credentials
        return environment
    }

    /// Both sources, a filter holding a secret, a file sink and a Kafka sink; SASL settings
    /// in both librdkafka tables. librdkafka accepts SASL properties with the PLAINTEXT
    /// protocol (it warns that they are unused), so the pipeline runs against the embedded
    /// broker, while `debug` makes librdkafka log its configuration and connections.
    func config(bootstrap: String, protocol securityProtocol: String = "plaintext", trigger: String = "200ms") -> String {
        TestPipeline.toml(trigger: trigger, top: "log_level = \"trace\"", fields: #"{ name = "page", type = "string" },"#, sources: """
            [source.kafka]
            bootstrap_servers = "\(bootstrap)"
            topics = ["visits"]
            read_timeout = "5s"
            [source.kafka.librdkafka]
            "security.protocol" = "\(securityProtocol)"
            "sasl.mechanism" = "PLAIN"
            "sasl.username" = "${TRIB_SASL_USER}"
            "sasl.password" = "${TRIB_SASL_PASSWORD}"
            "debug" = "generic,broker,security"
            [source.kafka.mapping]
            visit_id = "id"
            event_time = "ts"
            page = "page"
            \(TestPipeline.filesSource)

            [[transform]]
            filter = "page != '${TRIB_HIDDEN_PAGE}'"
            """, sink: """
            [[sink]]
            type = "files"
            path = "output"

            [[sink]]
            type = "kafka"
            bootstrap_servers = "\(bootstrap)"
            topic = "visits-out"
            key = "visit_id"
            [sink.librdkafka]
            "security.protocol" = "\(securityProtocol)"
            "sasl.mechanism" = "PLAIN"
            "sasl.username" = "svc-tributary"
            "sasl.password" = "${credential:kafka-sink-password}"
            "client.id" = "${TRIB_CLIENT_ID}"

            [http]
            listen = "0"
            """)
    }

    @Test("validate, a trace-level run, its files and its HTTP answers hold none of the secrets")
    func runLeaksNothing() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let broker = try EmbeddedKafka()
        try broker.createTopic("visits", partitions: 2)
        try broker.createTopic("visits-out", partitions: 1)
        // 20 good Kafka events and one that does not convert; 10 good lines and one bad in a file.
        var events = (0..<20).map { "{\"id\":\"k\($0)\",\"ts\":\(1_700_000_000_000 + $0),\"page\":\"/k\($0)\"}" }
        events.append("{\"id\":\"k-bad\",\"ts\":\"soon\",\"page\":\"/x\"}")
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        try producer.send(events.map { KafkaOutgoingRecord(topic: "visits", value: Array($0.utf8)) })
        var lines = (0..<10).map { "{\"visit_id\":\"f\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\",\"page\":\"/f\($0)\"}" }
        lines.append("{\"visit_id\":\"f-bad\",\"event_time\":\"yesterday\",\"page\":\"/y\"}")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: root + "/incoming/visits.jsonl"))
        let configFile = root + "/pipeline.toml"
        try Data(config(bootstrap: broker.bootstrapServers).utf8).write(to: URL(fileURLWithPath: configFile))
        let environment = try environment(root: root)

        // validate: the effective configuration is printed, with every secret as ***.
        let validate = try ChildProcess.run(ChildProcess.tributaryPath, ["validate", "--config", configFile, "--log-level", "trace"], environment: environment)
        #expect(validate.status == 0, "\(validate.errors)")
        #expect(leaks(in: validate.output + validate.errors).isEmpty, "validate printed \(leaks(in: validate.output + validate.errors))")
        #expect(validate.output.contains("\"sasl.password\" = \"***\""), "\(validate.output)")
        #expect(validate.output.contains("\"sasl.username\" = \"***\""), "\(validate.output)")
        #expect(validate.output.contains("\"client.id\" = \"***\""), "\(validate.output)")
        #expect(validate.output.contains("filter = \"***\""), "\(validate.output)")

        let run = try BackgroundRun(config: configFile, arguments: ["--log-level", "trace"], environment: environment, logs: root + "/run")
        let endpoint = try #require(run.httpEndpoint(), "no HTTP endpoint; stderr: \(run.standardError.suffix(2000))")
        let drained = try eventually(within: .seconds(60)) { try committedOutput(root + "/output").count == 30 }
        let written = (try? committedOutput(root + "/output").count) ?? -1
        #expect(drained, "output: \(written) records; stderr: \(run.standardError.suffix(2000))")
        let status = try ServiceHTTPClient.request("GET", "/status", port: endpoint.port)
        let metrics = try ServiceHTTPClient.request("GET", "/metrics", port: endpoint.port)
        #expect(status.status == 200)
        #expect(metrics.status == 200)
        #expect(run.stop() == 0, "\(run.standardError.suffix(2000))")

        // The run really did what the secrets are for: both sinks got every good record.
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let high = try reader.watermarks(of: [TopicPartition("visits-out", 0)])[TopicPartition("visits-out", 0)]!.high
        #expect(high >= 30)
        let stderr = run.standardError
        // librdkafka's debug lines did reach the log: the check below covers them.
        #expect(stderr.contains("librdkafka") || stderr.contains("rdkafka"), "\(stderr.prefix(2000))")
        #expect(stderr.contains("trace") || stderr.contains("debug"))

        var places: [(String, String)] = [
            ("run stdout", run.standardOutput), ("run stderr", stderr),
            ("/status", status.body), ("/metrics", metrics.body),
        ]
        let files = ["checkpoint", "output", "dead-letter"].flatMap { filesUnder(root + "/" + $0) }
        #expect(files.contains { $0.contains("/dead-letter/") }, "the run wrote no dead letters: \(files)")
        #expect(files.contains { $0.contains("/checkpoint/progress/") })
        for file in files {
            places.append((file, String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)))
        }
        let status2 = try ChildProcess.run(ChildProcess.tributaryPath, ["checkpoint", "status", "--config", configFile], environment: environment)
        places.append(("checkpoint status", status2.output + status2.errors))
        for (place, text) in places {
            #expect(leaks(in: text).isEmpty, "\(place) holds \(leaks(in: text))")
        }
    }

    @Test("a run whose SASL brokers cannot be reached fails with an error that holds no secret")
    func failedRunLeaksNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A port nothing listens on: bind one, note it, close it.
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socketFD)
        let configFile = root + "/pipeline.toml"
        try Data(config(bootstrap: "127.0.0.1:\(port)", protocol: "sasl_plaintext", trigger: "available-now").utf8).write(to: URL(fileURLWithPath: configFile))

        let started = ContinuousClock.now
        let run = try BackgroundRun(config: configFile, arguments: ["--log-level", "trace"], environment: try environment(root: root), logs: root + "/run")
        // Give librdkafka time to try (and log) its connections, then stop it if it still waits.
        _ = eventually(within: .seconds(15)) { !run.process.isRunning }
        let status = run.stop()
        let stderr = run.standardError
        #expect(status != 0 || stderr.contains("127.0.0.1:\(port)"), "the run neither failed nor tried the broker: \(stderr.suffix(2000))")
        #expect(stderr.contains("\(port)"), "no connection attempt was logged: \(stderr.suffix(2000))")
        #expect(leaks(in: stderr + run.standardOutput).isEmpty, "leaked \(leaks(in: stderr)) in \(stderr.suffix(3000))")
        #expect(ContinuousClock.now - started < .seconds(40))
        for file in ["checkpoint", "output", "dead-letter"].flatMap({ filesUnder(root + "/" + $0) }) {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            #expect(leaks(in: text).isEmpty, "\(file) holds \(leaks(in: text))")
        }
    }
}
