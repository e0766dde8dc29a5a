import Foundation
import Glibc
import Kafka
import Logging
import Testing
@testable import Tributary
@testable import tributary

/// The broker down for many batches while files keep arriving: files are processed all along,
/// `/healthz` says 503 and why (even though file batches keep committing), and once the broker
/// is back Kafka resumes at the offset where it stopped, every record once.
@Suite("Broker outage with files flowing", .timeLimit(.minutes(4)))
struct BrokerOutageFaultTests {
    @Test("files flow during the outage, healthz reports it, Kafka resumes exactly where it stopped")
    func outageWithFiles() async throws {
        let scene = try FaultScene(files: 0)
        defer { scene.remove() }
        let broker = try EmbeddedKafka()
        try broker.createTopic("visits", partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        func send(_ range: Range<Int>) throws {
            try producer.send(range.map { KafkaOutgoingRecord(topic: "visits", partition: Int32($0 % 2), value: Array("{\"id\":\"k\($0)\",\"ts\":1700000000000}".utf8)) })
        }
        func drop(_ name: String, _ count: Int) throws {
            let text = (0..<count).map { "{\"visit_id\":\"\(name)-\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n" }.joined()
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(scene.root)/incoming/\(name).jsonl"))
        }
        try send(0..<10)
        let config = try ConfigLoader.parse(TestPipeline.toml(trigger: "200ms", top: "stall_timeout = \"1s\"", sources: """
            \(TestPipeline.kafkaSource(bootstrap: broker.bootstrapServers))
            \(TestPipeline.filesSource)
            max_files_per_trigger = 1
            """) + "\n[http]\nlisten = \"127.0.0.1:0\"\n", file: scene.config)
        let served = try await ServedEngine(config: config)
        defer { served.stop() }
        let port = served.port

        #expect(try await until(within: .seconds(15)) { try scene.outputCounts().count == 10 })
        try broker.setAllBrokersDown()
        try drop("during-a", 4)
        #expect(try await until(within: .seconds(20)) { try scene.outputCounts()["during-a-3"] == 1 }, "files are read while the broker is down")
        var health = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        #expect(try await until(within: .seconds(20)) {
            health = try ServiceHTTPClient.request("GET", "/healthz", port: port)
            return health.status == 503
        }, "\(health.status) \(health.body)")
        #expect(health.body.contains("Kafka is unavailable"), "\(health.body)")
        try drop("during-b", 4)
        // The output is written before the commit: wait for the commit itself.
        #expect(try await until(within: .seconds(20)) {
            served.monitor.snapshot.lastReport?.files.contains { $0.path.hasSuffix("/during-b.jsonl") } == true
        })
        #expect(try scene.outputCounts()["during-b-3"] == 1)
        health = try ServiceHTTPClient.request("GET", "/healthz", port: port)
        #expect(health.status == 503, "a file batch committing does not hide the outage: \(health.body)")

        try broker.setAllBrokersUp()
        try send(10..<20)
        #expect(try await until(within: .seconds(40)) { try scene.outputCounts().count == 28 })
        #expect(try await until(within: .seconds(10)) { try ServiceHTTPClient.request("GET", "/healthz", port: port).status == 200 })
        served.stop()

        let counts = try scene.outputCounts()
        #expect(Set(counts.keys) == Set((0..<20).map { "k\($0)" } + (0..<4).flatMap { ["during-a-\($0)", "during-b-\($0)"] }))
        #expect(counts.values.allSatisfy { $0 == 1 })
        // Each partition's batches follow on from each other: no offset skipped or read twice.
        var next: [Int: Int] = [0: 0, 1: 0]
        for batch in scene.batches("offsets") {
            let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(scene.root)/checkpoint/offsets/\(batch)"))) as! [String: Any]
            for range in plan["kafka"] as! [[String: Any]] {
                let partition = range["partition"] as! Int
                #expect(range["start"] as? Int == next[partition], "batch \(batch) partition \(partition)")
                next[partition] = range["end"] as? Int
            }
        }
        #expect(next == [0: 10, 1: 10])
    }

    /// Polls `condition` every 100 ms until it holds or `within` passes; returns whether it held.
    private func until(within: Duration, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }
}
