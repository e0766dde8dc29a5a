import Foundation
import Glibc
import Kafka
import Logging
import Testing
@testable import Tributary
@testable import tributary

/// `/healthz` follows a real broker outage: the embedded broker is set down while the engine
/// runs, the endpoint says 503 once the outage outlasts `stall_timeout`, and 200 again once
/// the broker is back and the engine reaches it.
@Suite("Health during a broker outage", .timeLimit(.minutes(4)))
struct HealthDuringOutageTests {
    @Test("healthz: 200, then 503 while the broker is down longer than stall_timeout, then 200 again")
    func outage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-health-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let broker = try EmbeddedKafka()
        try broker.createTopic("visits", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        try producer.send((0..<5).map { KafkaOutgoingRecord(topic: "visits", value: Array("{\"id\":\"h\($0)\",\"ts\":1700000000000}".utf8)) })
        let config = try ConfigLoader.parse("""
            checkpoint_dir = "checkpoint"
            dead_letter_dir = "dead-letter"
            trigger = "200ms"
            stall_timeout = "1s"
            [schema]
            fields = [{ name = "visit_id", type = "string", required = true }, { name = "event_time", type = "timestamp" }]
            \(TestPipeline.kafkaSource(bootstrap: broker.bootstrapServers))
            [sink.files]
            path = "output"
            [http]
            listen = "127.0.0.1:0"
            """, file: root + "/p.toml")
        let served = try await ServedEngine(config: config)
        defer { served.stop() }
        let port = served.port

        #expect(try await health(port, becomes: 200, within: .seconds(15)).status == 200)
        try broker.setAllBrokersDown()
        let down = try await health(port, becomes: 503, within: .seconds(20))
        #expect(down.status == 503, "\(down.body)")
        #expect(down.body.contains("stalled") || down.body.contains("failing"), "\(down.body)")
        try broker.setAllBrokersUp()
        let back = try await health(port, becomes: 200, within: .seconds(40))
        #expect(back.status == 200, "\(back.body)")
    }

    /// Polls `/healthz` until it answers `status` or `within` passes; returns the last answer.
    private func health(_ port: Int, becomes status: Int, within: Duration) async throws -> ServiceHTTPClient.Response {
        let deadline = ContinuousClock.now + within
        var last = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        while last.status != status && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            last = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        }
        return last
    }
}
