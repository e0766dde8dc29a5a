@testable import Tributary
import Kafka
import Testing

private func kp(_ partition: Int32, topic: String = "t") -> TopicPartition { TopicPartition(topic, partition) }

private func kafkaConfig(_ configure: (inout KafkaSourceConfig) -> Void = { _ in }) -> KafkaSourceConfig {
    var config = KafkaSourceConfig(bootstrapServers: "x", topics: ["t"])
    configure(&config)
    return config
}

/// Plans with partitions t[0..<marks.count], every partition at `[low, high)`, nothing committed
/// unless given.
private func planKafka(
    _ config: KafkaSourceConfig,
    marks: [(low: Int64, high: Int64)],
    committed: [TopicPartition: Int64] = [:],
    limit: [TopicPartition: Int64]? = nil,
    sinceLastBatch: Duration = .seconds(1),
    unlimited: Bool = false
) throws(KafkaError) -> KafkaPlanner.Plan {
    let partitions = marks.indices.map { kp(Int32($0)) }
    var watermarks: [TopicPartition: Watermarks] = [:]
    for (index, mark) in marks.enumerated() { watermarks[kp(Int32(index))] = Watermarks(low: mark.low, high: mark.high) }
    return try KafkaPlanner(config: config, unlimited: unlimited).plan(
        partitions: partitions, committed: committed, watermarks: watermarks, limit: limit, sinceLastBatch: sinceLastBatch)
}

/// Lags `lags` (all partitions at `[0, lag)`) split under `budget`: the planned size of each partition.
private func sizes(budget: Int64?, lags: [Int64]) throws -> [Int64] {
    let plan = try planKafka(kafkaConfig { $0.maxOffsetsPerTrigger = budget }, marks: lags.map { (0, $0) })
    #expect(plan.ranges.map(\.start) == lags.map { _ in 0 })
    return plan.ranges.map(\.end)
}

@Suite struct KafkaPlannerTests {
    // MARK: budget split

    @Test func budgetIsSplitInProportionToLag() throws {
        #expect(try sizes(budget: 100, lags: [600, 300, 100]) == [60, 30, 10])
        #expect(try sizes(budget: 7, lags: [5, 3, 2]) == [4, 2, 1])
        #expect(try sizes(budget: 50, lags: [0, 80, 20]) == [0, 40, 10])
        #expect(try sizes(budget: 9, lags: [10, 0, 0, 10]) == [5, 0, 0, 4])
    }

    @Test func roundingLeftoverGoesOneEachToLargestRemainingLagsThenLowestPartition() throws {
        // 20 over three equal lags: 6 each by proportion, the 2 left over to t[0] and t[1].
        #expect(try sizes(budget: 20, lags: [10, 10, 10]) == [7, 7, 6])
        #expect(try sizes(budget: 6, lags: [4, 4, 4, 4]) == [2, 2, 1, 1])
        // Proportional shares 3, 2, 1 (remaining lags 4, 3, 2): the 1 left goes to the largest remaining lag.
        #expect(try sizes(budget: 7, lags: [7, 5, 3]) == [4, 2, 1])
        // Remaining lag decides, not the size of the lag: t[2] has the largest remainder.
        #expect(try sizes(budget: 10, lags: [3, 3, 14]) == [1, 1, 8])
    }

    @Test func everyPartitionWithLagGetsAtLeastOneOffset() throws {
        #expect(try sizes(budget: 2, lags: [100, 50, 1]) == [1, 1, 1])
        #expect(try sizes(budget: 1, lags: [5, 0, 5]) == [1, 0, 1])
        // The minimum of one must not push the batch over the budget when the budget allows one each.
        #expect(try sizes(budget: 100, lags: [100_000, 1, 1]) == [98, 1, 1])
        #expect(try sizes(budget: 4, lags: [1_000, 1, 1, 1]) == [1, 1, 1, 1])
    }

    @Test func splitUsesExactlyTheBudgetWhenLagExceedsIt() throws {
        // A fixed pseudo-random sequence, so the cases are the same on every run.
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<500 {
            let count = Int(next(8)) + 1
            let lags = (0..<count).map { _ in next(4) == 0 ? 0 : next(10_000) }
            let total = lags.reduce(0, +)
            let withLag = Int64(lags.filter { $0 > 0 }.count)
            guard total > 1 else { continue }
            let budget = max(withLag, next(total - 1) + 1)
            let split = try sizes(budget: budget, lags: lags)
            #expect(split.reduce(0, +) == min(budget, total), "lags \(lags) budget \(budget) → \(split)")
            for (size, lag) in zip(split, lags) {
                #expect(size <= lag && (lag == 0 ? size == 0 : size >= 1), "lags \(lags) budget \(budget) → \(split)")
                // No partition strays more than one offset (plus the minimum) from its exact share.
                let exact = Double(lag) * Double(budget) / Double(total)
                #expect(Double(size) <= max(1, exact.rounded(.down) + 1), "lags \(lags) budget \(budget) → \(split)")
            }
        }
    }

    @Test func withoutBudgetOrUnderBudgetEveryPartitionTakesItsWholeLag() throws {
        let expected = [PartitionRange("t", 0, start: 10, end: 15), PartitionRange("t", 1, start: 0, end: 0), PartitionRange("t", 2, start: 3, end: 1_000_003)]
        let marks: [(low: Int64, high: Int64)] = [(10, 15), (0, 0), (3, 1_000_003)]
        let unbounded = try planKafka(kafkaConfig(), marks: marks)
        #expect(unbounded.ranges == expected)
        #expect(unbounded.lagAfter == 0)
        #expect(!unbounded.waitingForMinimum)
        #expect(unbounded.dataLoss.isEmpty)
        // A budget equal to the total lag takes everything too.
        let exact = try planKafka(kafkaConfig { $0.maxOffsetsPerTrigger = 1_000_005 }, marks: marks)
        #expect(exact.ranges == expected)
    }

    @Test func lagAfterCountsWhatTheBudgetLeftBehind() throws {
        let plan = try planKafka(kafkaConfig { $0.maxOffsetsPerTrigger = 100 }, marks: [(0, 600), (50, 350), (0, 100)],
                                 committed: [kp(0): 0, kp(1): 50, kp(2): 0])
        #expect(plan.ranges == [PartitionRange("t", 0, start: 0, end: 60), PartitionRange("t", 1, start: 50, end: 80), PartitionRange("t", 2, start: 0, end: 10)])
        #expect(plan.lagAfter == 900)
    }

    @Test func rangesAreSortedByTopicAndPartition() throws {
        let partitions = [TopicPartition("b", 1), TopicPartition("a", 2), TopicPartition("b", 0), TopicPartition("a", 0)]
        let watermarks = Dictionary(uniqueKeysWithValues: partitions.map { ($0, Watermarks(low: 0, high: 4)) })
        let plan = try KafkaPlanner(config: kafkaConfig()).plan(partitions: partitions, committed: [:], watermarks: watermarks, sinceLastBatch: .zero)
        #expect(plan.ranges.map(\.topicPartition) == [TopicPartition("a", 0), TopicPartition("a", 2), TopicPartition("b", 0), TopicPartition("b", 1)])
    }

    // MARK: min_offsets_per_trigger

    @Test func underTheMinimumTheBatchIsHeldBackUntilTheDelayPasses() throws {
        let config = kafkaConfig {
            $0.minOffsetsPerTrigger = 100
            $0.maxTriggerDelay = .seconds(60)
        }
        let marks: [(low: Int64, high: Int64)] = [(0, 30), (5, 25)]
        let committed: [TopicPartition: Int64] = [kp(0): 10, kp(1): 5]
        let held = try planKafka(config, marks: marks, committed: committed, sinceLastBatch: .milliseconds(59_999))
        #expect(held.waitingForMinimum)
        #expect(held.ranges == [PartitionRange("t", 0, start: 10, end: 10), PartitionRange("t", 1, start: 5, end: 5)])
        #expect(held.ranges.allSatisfy { $0.isEmpty })
        #expect(held.lagAfter == 40)

        for elapsed: Duration in [.seconds(60), .seconds(3_600)] {
            let released = try planKafka(config, marks: marks, committed: committed, sinceLastBatch: elapsed)
            #expect(!released.waitingForMinimum)
            #expect(released.ranges == [PartitionRange("t", 0, start: 10, end: 30), PartitionRange("t", 1, start: 5, end: 25)])
            #expect(released.lagAfter == 0)
        }
    }

    @Test func reachingTheMinimumStartsTheBatchAtOnce() throws {
        let config = kafkaConfig {
            $0.minOffsetsPerTrigger = 40
            $0.maxTriggerDelay = .seconds(60)
        }
        let plan = try planKafka(config, marks: [(0, 30), (0, 10)], sinceLastBatch: .zero)
        #expect(!plan.waitingForMinimum)
        #expect(plan.ranges == [PartitionRange("t", 0, start: 0, end: 30), PartitionRange("t", 1, start: 0, end: 10)])
        let short = try planKafka(config, marks: [(0, 30), (0, 9)], sinceLastBatch: .zero)
        #expect(short.waitingForMinimum)
    }

    @Test func unlimitedIgnoresBudgetAndMinimum() throws {
        let config = kafkaConfig {
            $0.maxOffsetsPerTrigger = 10
            $0.minOffsetsPerTrigger = 5_000
            $0.maxTriggerDelay = .seconds(3_600)
        }
        let plan = try planKafka(config, marks: [(0, 1_000), (200, 700)], sinceLastBatch: .zero, unlimited: true)
        #expect(!plan.waitingForMinimum)
        #expect(plan.ranges == [PartitionRange("t", 0, start: 0, end: 1_000), PartitionRange("t", 1, start: 200, end: 700)])
        #expect(plan.lagAfter == 0)
    }

    // MARK: starting offsets

    @Test func startingOffsetsEarliestAndLatestApplyToTheFirstBatch() throws {
        let marks: [(low: Int64, high: Int64)] = [(10, 50), (0, 7)]
        let earliest = try planKafka(kafkaConfig { $0.startingOffsets = .earliest }, marks: marks)
        #expect(earliest.ranges == [PartitionRange("t", 0, start: 10, end: 50), PartitionRange("t", 1, start: 0, end: 7)])
        let latest = try planKafka(kafkaConfig { $0.startingOffsets = .latest }, marks: marks)
        #expect(latest.ranges == [PartitionRange("t", 0, start: 50, end: 50), PartitionRange("t", 1, start: 7, end: 7)])
        #expect(latest.lagAfter == 0)
    }

    @Test func specificStartingOffsetsWithEarliestAndLatestMarkers() throws {
        let config = kafkaConfig { $0.startingOffsets = .specific(["t": [0: 42, 1: -1, 2: -2]]) }
        let plan = try planKafka(config, marks: [(10, 100), (10, 100), (10, 100), (10, 100)])
        #expect(plan.ranges == [
            PartitionRange("t", 0, start: 42, end: 100),
            PartitionRange("t", 1, start: 100, end: 100),  // -1: latest
            PartitionRange("t", 2, start: 10, end: 100),   // -2: earliest
            PartitionRange("t", 3, start: 10, end: 100),   // not listed: earliest
        ])
        #expect(plan.dataLoss.isEmpty)
    }

    @Test func startingOffsetsAreIgnoredOnceSomethingIsCommitted() throws {
        let config = kafkaConfig { $0.startingOffsets = .latest }
        // t[1] appeared after the first batch: it starts at its low watermark, not at latest.
        let plan = try planKafka(config, marks: [(0, 50), (20, 90)], committed: [kp(0): 30])
        #expect(plan.ranges == [PartitionRange("t", 0, start: 30, end: 50), PartitionRange("t", 1, start: 20, end: 90)])
        let specific = kafkaConfig { $0.startingOffsets = .specific(["t": [0: 45, 1: 80]]) }
        let again = try planKafka(specific, marks: [(0, 50), (20, 90)], committed: [kp(0): 30])
        #expect(again.ranges == [PartitionRange("t", 0, start: 30, end: 50), PartitionRange("t", 1, start: 20, end: 90)])
    }

    // MARK: data loss

    @Test func startBelowLowWatermarkFailsNamingPartitionAndOffsets() throws {
        let error = #expect(throws: KafkaError.self) {
            try planKafka(kafkaConfig(), marks: [(0, 10), (500, 900)], committed: [kp(0): 10, kp(1): 123])
        }
        #expect(error?.code == .dataLoss)
        #expect(error?.message.contains("t[1]") == true)
        #expect(error?.message.contains("[123, 500)") == true)
        #expect(error?.message.contains("low watermark 500, planned start 123") == true)
        #expect(error?.isRetriable == false)
    }

    @Test func startAboveHighWatermarkFailsNamingPartitionAndOffsets() throws {
        let error = #expect(throws: KafkaError.self) {
            try planKafka(kafkaConfig(), marks: [(0, 40)], committed: [kp(0): 77])
        }
        #expect(error?.code == .dataLoss)
        #expect(error?.message.contains("t[0]") == true)
        #expect(error?.message.contains("planned start 77 is past the high watermark 40") == true)
        // A specific starting offset past the end is caught the same way.
        let first = #expect(throws: KafkaError.self) {
            try planKafka(kafkaConfig { $0.startingOffsets = .specific(["t": [0: 41]]) }, marks: [(0, 40)])
        }
        #expect(first?.code == .dataLoss)
        #expect(first?.message.contains("planned start 41 is past the high watermark 40") == true)
    }

    @Test func withoutFailOnDataLossTheGapIsReportedAndSkipped() throws {
        let config = kafkaConfig { $0.failOnDataLoss = false }
        let plan = try planKafka(config, marks: [(500, 900), (0, 40), (5, 8)], committed: [kp(0): 123, kp(1): 77, kp(2): 6])
        #expect(plan.dataLoss == [
            DataLossEvent(topic: "t", partition: 0, plannedStart: 123, lowWatermark: 500, highWatermark: 900, lost: 377),
            DataLossEvent(topic: "t", partition: 1, plannedStart: 77, lowWatermark: 0, highWatermark: 40, lost: 0),
        ])
        #expect(plan.ranges == [
            PartitionRange("t", 0, start: 500, end: 900),
            PartitionRange("t", 1, start: 0, end: 40),
            PartitionRange("t", 2, start: 6, end: 8),
        ])
    }

    @Test func dataLossStartIsAlsoSubjectToTheBudget() throws {
        let config = kafkaConfig {
            $0.failOnDataLoss = false
            $0.maxOffsetsPerTrigger = 40
        }
        let plan = try planKafka(config, marks: [(500, 600), (0, 100)], committed: [kp(0): 100, kp(1): 0])
        #expect(plan.dataLoss.map(\.lost) == [400])
        #expect(plan.ranges == [PartitionRange("t", 0, start: 500, end: 520), PartitionRange("t", 1, start: 0, end: 20)])
        #expect(plan.lagAfter == 160)
    }

    // MARK: available-now limit

    @Test func limitCapsTheEnds() throws {
        let limit: [TopicPartition: Int64] = [kp(0): 60, kp(1): 5, kp(2): 1_000]
        let plan = try planKafka(kafkaConfig(), marks: [(0, 100), (10, 100), (0, 30)], committed: [kp(0): 20, kp(1): 10, kp(2): 0], limit: limit)
        #expect(plan.ranges == [
            PartitionRange("t", 0, start: 20, end: 60),
            PartitionRange("t", 1, start: 10, end: 10),  // the limit is behind the start: nothing
            PartitionRange("t", 2, start: 0, end: 30),   // the limit is past the high watermark
        ])
        // The budget is split over the capped lags (40 and 30).
        let budgeted = try planKafka(kafkaConfig { $0.maxOffsetsPerTrigger = 7 }, marks: [(0, 100), (10, 100), (0, 30)],
                                     committed: [kp(0): 20, kp(1): 10, kp(2): 0], limit: limit)
        #expect(budgeted.ranges == [PartitionRange("t", 0, start: 20, end: 24), PartitionRange("t", 1, start: 10, end: 10), PartitionRange("t", 2, start: 0, end: 3)])
        #expect(budgeted.lagAfter == 63)
    }
}
