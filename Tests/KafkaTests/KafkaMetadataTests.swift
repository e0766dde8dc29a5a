import Kafka
import Testing

@Suite("Watermarks, discovery and data loss", .timeLimit(.minutes(4)))
struct KafkaMetadataTests {
    @Test("watermarks of many partitions in one call")
    func watermarks() throws {
        let fixture = try KafkaFixture(topics: ["w": 3, "empty": 2])
        let producer = try KafkaProducer(configuration: fixture.configuration)
        for partition: Int32 in 0..<3 {
            try producer.send((0..<(Int(partition) * 10 + 5)).map { _ in
                KafkaOutgoingRecord(topic: "w", partition: partition, value: [1])
            })
        }
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let partitions = [TopicPartition("w", 0), TopicPartition("w", 1), TopicPartition("w", 2), TopicPartition("empty", 1)]
        let marks = try reader.watermarks(of: partitions)
        #expect(marks[TopicPartition("w", 0)] == Watermarks(low: 0, high: 5))
        #expect(marks[TopicPartition("w", 1)] == Watermarks(low: 0, high: 15))
        #expect(marks[TopicPartition("w", 2)] == Watermarks(low: 0, high: 25))
        #expect(marks[TopicPartition("empty", 1)] == Watermarks(low: 0, high: 0))
    }

    @Test("every partition's watermarks from the topic names alone; a missing topic is left out and not created")
    func partitionsAndWatermarks() throws {
        let fixture = try KafkaFixture(topics: ["a": 2, "b": 1])
        let producer = try KafkaProducer(configuration: fixture.configuration)
        try producer.send((0..<7).map { KafkaOutgoingRecord(topic: "a", partition: Int32($0 % 2), value: [1]) })
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let (partitions, marks) = try reader.partitionsAndWatermarks(of: ["a", "b", "missing"])
        #expect(partitions == [TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)])
        #expect(marks == [TopicPartition("a", 0): Watermarks(low: 0, high: 4), TopicPartition("a", 1): Watermarks(low: 0, high: 3),
                          TopicPartition("b", 0): Watermarks(low: 0, high: 0)])
        #expect(try !reader.topicExists("missing"))
    }

    @Test("partition counts, topic existence, and a topic that appears later is discovered")
    func discovery() throws {
        let fixture = try KafkaFixture(topics: ["visits": 3])
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        #expect(try reader.partitionCounts(of: ["visits", "clicks"]) == ["visits": 3])
        #expect(try reader.topicExists("visits"))
        #expect(try !reader.topicExists("clicks"))
        // The embedded broker cannot add partitions to an existing topic, so new partitions
        // enter the picture as a new topic.
        try fixture.broker.createTopic("clicks", partitions: 5)
        #expect(try reader.partitionCounts(of: ["visits", "clicks"]) == ["visits": 3, "clicks": 5])
    }

    @Test("retention past a planned start is reported as data loss with both offsets")
    func dataLossDetection() throws {
        let fixture = try KafkaFixture(topics: ["big": 1])
        try fillPastRetention(fixture, topic: "big")
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let partition = TopicPartition("big", 0)
        let marks = try #require(try reader.watermarks(of: [partition])[partition])
        #expect(marks.low > 0 && marks.high == 6_000)

        let lost = try #require(marks.dataLoss(plannedStart: 0, of: partition))
        #expect(lost.code == .dataLoss)
        #expect(lost.message.contains("big[0]"))
        #expect(lost.message.contains("low watermark \(marks.low), planned start 0"))
        #expect(!lost.isRetriable)

        let recreated = try #require(marks.dataLoss(plannedStart: 7_000, of: partition))
        #expect(recreated.message.contains("past the high watermark 6000"))
        #expect(marks.dataLoss(plannedStart: marks.low, of: partition) == nil)
        #expect(marks.dataLoss(plannedStart: marks.high, of: partition) == nil)
    }

    @Test("an unknown topic's watermarks fail with UNKNOWN_TOPIC_OR_PART and a hint")
    func unknownTopic() throws {
        let fixture = try KafkaFixture(topics: [:])
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let error = #expect(throws: KafkaError.self) {
            try reader.watermarks(of: [TopicPartition("nope", 0)], timeout: .seconds(5))
        }
        #expect(error?.code == .unknownTopicOrPartition || error?.code == .unknownPartition)
        #expect(error?.description.contains("Check the topic name") == true)
    }
}
