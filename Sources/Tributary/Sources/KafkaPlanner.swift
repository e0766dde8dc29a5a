import Kafka

/// A gap found while planning: offsets that retention deleted before they were read, or a
/// checkpointed offset past the end of the log.
public struct DataLossEvent: Codable, Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var plannedStart: Int64
    public var lowWatermark: Int64
    public var highWatermark: Int64
    /// Offsets skipped (0 when the log was truncated or recreated).
    public var lost: Int64

    enum CodingKeys: String, CodingKey {
        case topic, partition, lost
        case plannedStart = "planned_start"
        case lowWatermark = "low_watermark"
        case highWatermark = "high_watermark"
    }
}

/// Splits the per-trigger offset budget over partitions and decides each partition's range.
struct KafkaPlanner {
    let config: KafkaSourceConfig
    /// Ignore the per-trigger limits (trigger = once).
    var unlimited = false

    struct Plan: Equatable {
        /// A range per known partition, empty ones included, so the plan alone tells where
        /// every partition stands.
        var ranges: [PartitionRange] = []
        var dataLoss: [DataLossEvent] = []
        /// True when min_offsets_per_trigger held the batch back.
        var waitingForMinimum = false
        /// Offsets available beyond the planned ends (lag after this batch).
        var lagAfter: Int64 = 0
    }

    /// Plans one batch. `committed` holds each partition's next offset after the last
    /// committed batch (empty before the first batch); `limit` caps ends (available-now).
    func plan(
        partitions: [TopicPartition],
        committed: [TopicPartition: Int64],
        watermarks: [TopicPartition: Watermarks],
        limit: [TopicPartition: Int64]? = nil,
        sinceLastBatch: Duration
    ) throws(KafkaError) -> Plan {
        var plan = Plan()
        var starts: [TopicPartition: Int64] = [:]
        var ends: [TopicPartition: Int64] = [:]
        for partition in partitions {
            guard let marks = watermarks[partition] else { continue }
            var start = committed[partition] ?? initialOffset(partition, marks, firstBatch: committed.isEmpty)
            if let problem = marks.dataLoss(plannedStart: start, of: partition) {
                if config.failOnDataLoss { throw problem }
                plan.dataLoss.append(DataLossEvent(
                    topic: partition.topic, partition: partition.partition, plannedStart: start,
                    lowWatermark: marks.low, highWatermark: marks.high, lost: max(0, marks.low - start)))
                start = marks.low
            }
            starts[partition] = start
            ends[partition] = max(start, min(marks.high, limit?[partition] ?? marks.high))
        }
        var lags: [TopicPartition: Int64] = [:]
        for (partition, start) in starts { lags[partition] = ends[partition]! - start }
        let total = lags.values.reduce(0, +)
        var sizes = lags
        if !unlimited {
            if total < config.minOffsetsPerTrigger && sinceLastBatch < config.maxTriggerDelay {
                plan.waitingForMinimum = true
                sizes = sizes.mapValues { _ in 0 }
            } else if let budget = config.maxOffsetsPerTrigger, total > budget {
                sizes = Self.split(budget: budget, lags: lags, total: total)
            }
        }
        for partition in partitions.sorted() {
            guard let start = starts[partition] else { continue }
            let size = sizes[partition] ?? 0
            plan.ranges.append(PartitionRange(partition.topic, partition.partition, start: start, end: start + size))
            plan.lagAfter += (ends[partition]! - start) - size
        }
        return plan
    }

    /// Splits `budget` in proportion to each partition's lag; a partition with lag gets at
    /// least 1, and what rounding leaves goes to the largest remaining lags.
    static func split(budget: Int64, lags: [TopicPartition: Int64], total: Int64) -> [TopicPartition: Int64] {
        var sizes: [TopicPartition: Int64] = [:]
        var used: Int64 = 0
        for (partition, lag) in lags {
            guard lag > 0 else { sizes[partition] = 0; continue }
            let share = min(lag, max(1, Int64((Double(lag) * Double(budget) / Double(total)).rounded(.down))))
            sizes[partition] = share
            used += share
        }
        // The minimum of 1 can overshoot the budget: take the excess back from the largest
        // shares (never below 1).
        while used > budget, let (partition, size) = sizes.filter({ $0.value > 1 }).max(by: { a, b in
            a.value != b.value ? a.value < b.value : a.key > b.key
        }) {
            sizes[partition] = size - 1
            used -= 1
        }
        // One offset each to the largest remaining lags (ties: lowest partition), so equal
        // lags get equal shares.
        var left = budget - used
        while left > 0 {
            let byRemainingLag = lags.filter { $0.value > sizes[$0.key]! }.sorted { a, b in
                let (restA, restB) = (a.value - sizes[a.key]!, b.value - sizes[b.key]!)
                return restA != restB ? restA > restB : a.key < b.key
            }
            if byRemainingLag.isEmpty { break }
            for (partition, _) in byRemainingLag.prefix(Int(min(left, Int64(byRemainingLag.count)))) {
                sizes[partition]! += 1
                left -= 1
            }
        }
        return sizes
    }

    private func initialOffset(_ partition: TopicPartition, _ marks: Watermarks, firstBatch: Bool) -> Int64 {
        // Partitions that appear after the first batch start at earliest, so nothing
        // written to them is missed.
        guard firstBatch else { return marks.low }
        switch config.startingOffsets {
        case .earliest: return marks.low
        case .latest: return marks.high
        case .specific(let offsets):
            switch offsets[partition.topic]?[partition.partition] {
            case nil, -2: return marks.low
            case -1: return marks.high
            case let offset?: return offset
            }
        }
    }
}
