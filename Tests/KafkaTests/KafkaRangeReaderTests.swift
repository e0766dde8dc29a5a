import Foundation
@testable import Kafka
import Testing

@Suite("Exact range reads", .timeLimit(.minutes(4)))
struct KafkaRangeReaderTests {
    @Test("100 000 records over 4 partitions: exactly the planned ranges, in offset order")
    func exactRangesOverFourPartitions() throws {
        let fixture = try KafkaFixture(topics: ["visits": 4])
        try fixture.fill("visits", partitions: 4, count: 25_000)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)

        // Whole partitions, a middle slice, a range ending mid-batch, an empty range.
        let ranges = [
            PartitionRange("visits", 0, start: 0, end: 25_000),
            PartitionRange("visits", 1, start: 0, end: 25_000),
            PartitionRange("visits", 2, start: 12_345, end: 20_001),
            PartitionRange("visits", 3, start: 7, end: 7),
        ]
        var seen: [TopicPartition: [Int64]] = [:]
        var values: [TopicPartition: [String]] = [:]
        let summary = try reader.read(ranges, maxBatchSize: 1_000) { batch in
            #expect(batch.count <= 1_000)
            for record in batch {
                seen[batch.topicPartition, default: []].append(record.offset)
                values[batch.topicPartition, default: []].append(String(decoding: record.value!, as: UTF8.self))
            }
        }
        for range in ranges {
            let offsets = seen[range.topicPartition] ?? []
            #expect(offsets == Array(range.start..<range.end), "\(range)")
            let expected = (range.start..<range.end).map { KafkaFixture.value(partition: Int(range.partition), n: Int($0)) }
            #expect((values[range.topicPartition] ?? []) == expected, "\(range)")
        }
        #expect(summary.records == 25_000 + 25_000 + 7_656)
        #expect(summary.partitions[TopicPartition("visits", 2)]?.firstOffset == 12_345)
        #expect(summary.partitions[TopicPartition("visits", 2)]?.lastOffset == 20_000)
    }

    @Test("consecutive reads on one reader continue exactly where the last stopped")
    func consecutiveReads() throws {
        let fixture = try KafkaFixture(topics: ["t": 2])
        try fixture.fill("t", partitions: 2, count: 3_000)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        var all: [KafkaRecord] = []
        var start: Int64 = 0
        for end in [1_000, 1_001, 2_500, 3_000] as [Int64] {
            try reader.read([PartitionRange("t", 0, start: start, end: end), PartitionRange("t", 1, start: start, end: end)]) { batch in
                all.append(contentsOf: batch.copyAll())
            }
            start = end
        }
        for partition: Int32 in 0...1 {
            #expect(all.filter { $0.partition == partition }.map(\.offset) == Array(0..<3_000))
        }
        // Each read continued the last, so the partitions were assigned once, and the later
        // reads took records fetched meanwhile; going back assigns again.
        #expect(reader.assignments == 1)
        try reader.read([PartitionRange("t", 0, start: 0, end: 10)]) { _ in }
        #expect(reader.assignments == 2)
    }

    @Test("a batch says whether its partition has more records ready: a batch that is not caught up is full or the first record a wait returned, and the last of a range is caught up")
    func caughtUpBatches() throws {
        let fixture = try KafkaFixture(topics: ["t": 2])
        try fixture.fill("t", partitions: 2, count: 3_000)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        for (start, end) in [(0, 2_000), (2_000, 3_000)] as [(Int64, Int64)] {
            // The reader keeps its partitions assigned, so librdkafka fetches the rest meanwhile.
            if start > 0 { Thread.sleep(forTimeInterval: 1) }
            var batches: [TopicPartition: [(count: Int, caughtUp: Bool)]] = [:]
            try reader.read([PartitionRange("t", 0, start: start, end: end), PartitionRange("t", 1, start: start, end: end)], maxBatchSize: 200) { batch in
                batches[batch.topicPartition, default: []].append((batch.count, batch.isCaughtUp))
            }
            for partition: Int32 in 0...1 {
                let seen = batches[TopicPartition("t", partition)] ?? []
                #expect(seen.reduce(0) { $0 + $1.count } == Int(end - start), "\(partition) [\(start), \(end))")
                #expect(seen.last?.caughtUp == true, "\(partition) [\(start), \(end)): \(seen)")
                // Fewer than asked for means the queue ran dry: that batch must say so. A read
                // that had to wait asks for one record, which cannot be fewer than asked.
                #expect(seen.filter { !$0.caughtUp }.allSatisfy { $0.count == 200 || $0.count == 1 }, "\(partition) [\(start), \(end)): \(seen)")
                if start > 0 {
                    // Fetched while the test slept: every batch but the last had more behind it.
                    #expect(seen.dropLast().allSatisfy { !$0.caughtUp } && seen.count == 5, "\(partition): \(seen)")
                }
            }
        }
    }

    @Test("a read that does not continue the last one (a retry, a step back or ahead, another partition, after a timeout or the end of the log) gets exactly its range")
    func readsThatDoNotContinue() throws {
        let fixture = try KafkaFixture(topics: ["t": 2])
        try fixture.fill("t", partitions: 2, count: 3_000)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        func expectExact(_ ranges: [PartitionRange], timeout: Duration = .seconds(60), _ comment: Comment) throws {
            var seen: [TopicPartition: [String]] = [:]
            try reader.read(ranges, timeout: timeout, maxBatchSize: 300) { batch in
                for record in batch { seen[batch.topicPartition, default: []].append("\(record.offset) \(record.value.map { String(decoding: $0, as: UTF8.self) } ?? "-")") }
            }
            for range in ranges {
                let expected = (range.start..<range.end).map { "\($0) \(KafkaFixture.value(partition: Int(range.partition), n: Int($0)))" }
                // Says where the first difference is rather than printing thousands of records.
                let got = seen[range.topicPartition] ?? []
                let first = (0..<min(got.count, expected.count)).first { got[$0] != expected[$0] } ?? min(got.count, expected.count)
                #expect(first == got.count && got.count == expected.count, "\(comment): \(range): \(got.count) records, first difference at \(first): got \(first < got.count ? got[first] : "nothing"), expected \(first < expected.count ? expected[first] : "nothing")")
            }
            #expect(Set(seen.keys).isSubset(of: Set(ranges.map(\.topicPartition))), "\(comment)")
        }
        try expectExact([PartitionRange("t", 0, start: 0, end: 1_000), PartitionRange("t", 1, start: 0, end: 1_000)], "first read")
        try expectExact([PartitionRange("t", 0, start: 1_000, end: 2_000)], "continue one partition, leave the other out")
        try expectExact([PartitionRange("t", 0, start: 1_000, end: 2_000)], "the same range again (a retry)")
        try expectExact([PartitionRange("t", 1, start: 1_000, end: 1_500), PartitionRange("t", 0, start: 2_000, end: 2_500)], "the left-out partition again")
        try expectExact([PartitionRange("t", 0, start: 100, end: 200)], "a step back")
        try expectExact([PartitionRange("t", 0, start: 2_800, end: 3_000), PartitionRange("t", 1, start: 1_500, end: 3_000)], "a step ahead, up to the end of the log")
        try fixture.fill("t", partitions: 2, count: 500, first: 3_000)
        try expectExact([PartitionRange("t", 0, start: 3_000, end: 3_500)], "continue after the end of the log was reached")
        let timedOut = #expect(throws: KafkaError.self) {
            try reader.read([PartitionRange("t", 0, start: 3_400, end: 3_600)], timeout: .seconds(1)) { _ in }
        }
        #expect(timedOut?.code == .timedOut)
        try fixture.fill("t", partitions: 1, count: 100, first: 3_500)
        try expectExact([PartitionRange("t", 0, start: 3_400, end: 3_600), PartitionRange("t", 1, start: 3_000, end: 3_500)], "the timed-out range once it exists")
    }

    @Test("watermarks answer at once while the reader's partitions wait at the end of the log")
    func watermarksDoNotWaitBehindFetches() throws {
        let fixture = try KafkaFixture(topics: ["t": 2])
        try fixture.fill("t", partitions: 2, count: 100)
        // A fetch at the end of the log is held by the broker for up to fetch.wait.max.ms; a
        // watermark query sent on the same connection would wait behind it.
        var configuration = fixture.configuration
        configuration.properties["fetch.wait.max.ms"] = "5000"
        let reader = try KafkaRangeReader(configuration: configuration)
        let partitions = [TopicPartition("t", 0), TopicPartition("t", 1)]
        try reader.read(partitions.map { PartitionRange($0.topic, $0.partition, start: 0, end: 100) }) { _ in }
        // Let the fetcher reach the end of the log and send its held fetch.
        Thread.sleep(forTimeInterval: 0.3)
        for _ in 0..<3 {
            let clock = ContinuousClock()
            var marks: [TopicPartition: Watermarks] = [:]
            let took = try clock.measure { marks = try reader.watermarks(of: partitions) }
            #expect(marks[partitions[0]]?.high == 100)
            #expect(took < .milliseconds(2_500), "a watermark query took \(took)")
        }
    }

    @Test("a range starting at the low watermark after retention reads from there")
    func startAtLowWatermark() throws {
        let fixture = try KafkaFixture(topics: ["big": 1])
        try fillPastRetention(fixture, topic: "big")
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let marks = try #require(try reader.watermarks(of: [TopicPartition("big", 0)])[TopicPartition("big", 0)])
        #expect(marks.low > 0)
        var offsets: [Int64] = []
        try reader.read([PartitionRange("big", 0, start: marks.low, end: marks.low + 50)]) { batch in
            offsets.append(contentsOf: batch.map(\.offset))
        }
        #expect(offsets == Array(marks.low..<(marks.low + 50)))
    }

    @Test("a range the broker cannot complete fails with a retriable timeout naming the partition")
    func incompleteRangeTimesOut() throws {
        let fixture = try KafkaFixture(topics: ["short": 1])
        try fixture.fill("short", partitions: 1, count: 10)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        var delivered = 0
        let error = #expect(throws: KafkaError.self) {
            try reader.read([PartitionRange("short", 0, start: 0, end: 20)], timeout: .seconds(2)) { delivered += $0.count }
        }
        #expect(delivered == 10)
        #expect(error?.code == .timedOut)
        #expect(error?.isRetriable == true)
        #expect(error?.message.contains("short[0] at 10 of [0, 20)") == true)
    }

    @Test("the same partition twice, or a negative start, is refused before anything is read")
    func invalidRanges() throws {
        let fixture = try KafkaFixture(topics: ["t": 1])
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let twice = #expect(throws: KafkaError.self) {
            try reader.read([PartitionRange("t", 0, start: 0, end: 1), PartitionRange("t", 0, start: 1, end: 2)]) { _ in }
        }
        #expect(twice?.code == .invalidArgument)
        let negative = #expect(throws: KafkaError.self) {
            try reader.read([PartitionRange("t", 0, start: -2, end: 1)]) { _ in }
        }
        #expect(negative?.code == .invalidArgument)
    }

    @Test("readAll runs off the concurrency pool and copies records")
    func readAllAsync() async throws {
        let fixture = try KafkaFixture(topics: ["a": 1])
        try fixture.fill("a", partitions: 1, count: 100)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let records = try await reader.readAll([PartitionRange("a", 0, start: 90, end: 100)])
        #expect(records.map(\.offset) == Array(90..<100))
        #expect(records.first?.valueText == "p0-90")
        #expect(records.first?.key == Array("k90".utf8))
        #expect(records.first?.timestamp != nil)
    }

    @Test("watermark queries go through a handle without a consumer group, even when the configuration names one")
    func metadataHandleHasNoGroup() throws {
        // A group's FindCoordinator requests share the connection with ListOffsets, and the
        // embedded broker (Nagle's algorithm on) then held a ListOffsets answer for a 40 ms
        // delayed ACK in about one first planning in four.
        let fixture = try KafkaFixture(topics: ["m": 2])
        var configuration = fixture.configuration
        configuration["group.id"] = "someone-elses-group"
        configuration["group.instance.id"] = "member-1"
        let reader = try KafkaRangeReader(configuration: configuration)
        #expect(!reader.metadataClient.hasConsumerGroup)
        #expect(reader.client.hasConsumerGroup)
        let marks = try reader.watermarks(of: [TopicPartition("m", 0), TopicPartition("m", 1)])
        #expect(marks[TopicPartition("m", 1)] == Watermarks(low: 0, high: 0))
        #expect(try reader.partitionCounts(of: ["m"]) == ["m": 2])
    }
}

/// Produces about 6 MB into partition 0 of `topic`: more than the embedded broker keeps, so
/// its low watermark moves above 0.
func fillPastRetention(_ fixture: KafkaFixture, topic: String) throws {
    let producer = try KafkaProducer(configuration: fixture.configuration)
    let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 1_000)
    for _ in 0..<6 {
        try producer.send((0..<1_000).map { _ in KafkaOutgoingRecord(topic: topic, partition: 0, value: payload) }, timeout: .seconds(60))
    }
}
