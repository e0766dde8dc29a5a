import Foundation
import Kafka
import Testing
@testable import Tributary

/// Retention deleting offsets the pipeline has not read yet, for real: the embedded broker
/// drops a partition's oldest data past about 5 MB, so 6 000 records of 1 kB push the low
/// watermark past the checkpointed offset.
@Suite("Data loss from retention", .timeLimit(.minutes(4)))
struct DataLossTests {
    /// A pipeline that committed offsets 0..<10 of visits[0], after which retention deleted
    /// offsets from 10 on. Returns the fixture, the broker and the new low watermark.
    static func committedThenLost(failOnDataLoss: Bool) throws -> (PipelineFixture, EmbeddedKafka, Int64) {
        let fixture = try PipelineFixture()
        let broker = try EmbeddedKafka()
        try broker.createTopic("visits", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let padding = String(repeating: "x", count: 1_000)
        func record(_ n: Int) -> KafkaOutgoingRecord {
            KafkaOutgoingRecord(topic: "visits", partition: 0, value: Array("{\"id\":\"r\(n)\",\"ts\":1700000000000,\"pad\":\"\(padding)\"}".utf8))
        }
        try producer.send((0..<10).map(record))
        let config = try Self.config(fixture, broker, failOnDataLoss: failOnDataLoss)
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        for chunk in 0..<6 {
            try producer.send((0..<1_000).map { record(10 + chunk * 1_000 + $0) }, timeout: .seconds(60))
        }
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let marks = try #require(try reader.watermarks(of: [TopicPartition("visits", 0)])[TopicPartition("visits", 0)])
        #expect(marks.high == 6_010)
        #expect(marks.low > 10, "retention must have deleted unread offsets")
        return (fixture, broker, marks.low)
    }

    static func config(_ fixture: PipelineFixture, _ broker: EmbeddedKafka, failOnDataLoss: Bool) throws -> TributaryConfig {
        try fixture.config("""
            [source.kafka]
            bootstrap_servers = "\(broker.bootstrapServers)"
            topics = ["visits"]
            fail_on_data_loss = \(failOnDataLoss)
            [source.kafka.mapping]
            visit_id = "id"
            event_time = "ts"
            """)
    }

    @Test("fail_on_data_loss = true: the run stops with the data-loss error naming the partition and offsets; nothing is planned")
    func failStops() throws {
        let (fixture, broker, low) = try Self.committedThenLost(failOnDataLoss: true)
        defer { fixture.remove() }
        let engine = try MicroBatchEngine(config: Self.config(fixture, broker, failOnDataLoss: true), logger: PipelineFixture.logger)
        let error = #expect(throws: KafkaError.self) { try engine.run() }
        #expect(error?.code == .dataLoss)
        #expect(error?.message == "visits[0]: offsets [10, \(low)) are no longer on the broker (low watermark \(low), planned start 10); retention deleted them before they were read")
        #expect(error?.description.contains("set fail_on_data_loss = false to skip the gap") == true)
        #expect(try names(in: fixture.checkpoint + "/offsets") == ["0"], "no batch was planned past the gap")
        #expect(try names(in: fixture.checkpoint + "/commits") == ["0"])
        #expect(try fixture.outputRows().count == 10)
    }

    @Test("fail_on_data_loss = false: the gap is recorded in the plan and the report, and reading continues at the low watermark")
    func continuePastGap() throws {
        let (fixture, broker, low) = try Self.committedThenLost(failOnDataLoss: false)
        defer { fixture.remove() }
        let engine = try MicroBatchEngine(config: Self.config(fixture, broker, failOnDataLoss: false), logger: PipelineFixture.logger)
        #expect(try engine.run() == 1)

        let plan = try engine.store.readOffsets(1, as: BatchPlan.self)
        #expect(plan.dataLoss.count == 1)
        #expect(plan.dataLoss.first?.plannedStart == 10)
        #expect(plan.dataLoss.first?.lowWatermark == low)
        #expect(plan.dataLoss.first?.lost == low - 10)
        #expect(plan.kafka.map(\.start) == [low])
        let report = try #require(try fixture.progressReports().first { $0["batch"] as? Int == 1 })
        let kafka = try #require((report["sources"] as? [String: [String: Any]])?["kafka"])
        #expect(kafka["data_loss"] as? Int == 1)
        #expect(report["rows_read"] as? Int == 6_010 - Int(low))
        #expect(report["rows_written"] as? Int == 6_010 - Int(low))

        // Every record still on the broker is in the output once; the gap is exactly what retention took.
        let ids = try fixture.outputRows().map { $0["visit_id"] as! String }
        #expect(ids.count == Set(ids).count)
        #expect(Set(ids) == Set((Array(0..<10) + Array(Int(low)..<6_010)).map { "r\($0)" }))
    }
}
