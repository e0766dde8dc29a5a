import Kafka

/// The Kafka side of the benchmark: an embedded broker fed with generated records, and the
/// Kafka layer's own read rate (baseline B).
enum BenchKafka {
    /// The embedded broker keeps about 5 MB per partition and drops its oldest data beyond
    /// that; the benchmark stays under this many bytes of values per partition.
    static let bytesPerPartitionLimit = 4_000_000

    /// A topic loaded with generated records.
    struct Feed: Sendable {
        let broker: EmbeddedKafka
        let topic: String
        let partitions: Int
        let generated: BenchGenerated
        /// Seconds spent producing (records acknowledged).
        let produceSeconds: Double
        /// Each partition's `[0, high)`, checked to be complete (low watermark 0).
        let ranges: [PartitionRange]
    }

    /// Starts a broker, creates `topic` with `partitions` partitions and produces `records`
    /// generated records round-robin over them, in chunks of 20 000, before anything reads.
    /// Fails when the broker dropped any of them (a low watermark above 0).
    static func feed(topic: String, partitions: Int, records: Int, seed: UInt64) async throws -> Feed {
        try await BenchSupport.onThread("bench-kafka-feed") { () throws -> Feed in
            let broker = try EmbeddedKafka()
            try broker.createTopic(topic, partitions: partitions)
            let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
            var generator = BenchRecordGenerator(seed: seed, firstID: 900_000_001)
            var generated = BenchGenerated()
            let day = Array("2025-11-22".utf8)
            let start = BenchSupport.now()
            var chunk: [KafkaOutgoingRecord] = []
            var value: [UInt8] = []
            for index in 0..<records {
                value.removeAll(keepingCapacity: true)
                if generator.append(date: day, hour: index / max(1, records / 24), to: &value, newline: false) { generated.passing += 1 }
                generated.records += 1
                generated.bytes += value.count
                chunk.append(KafkaOutgoingRecord(topic: topic, partition: Int32(index % partitions), value: value))
                if chunk.count == 20_000 {
                    try producer.send(chunk, timeout: .seconds(120))
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            try producer.send(chunk, timeout: .seconds(120))
            let produceSeconds = BenchSupport.now() - start
            let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
            let marks = try reader.watermarks(of: (0..<partitions).map { TopicPartition(topic, Int32($0)) })
            var ranges: [PartitionRange] = []
            var total: Int64 = 0
            for (partition, mark) in marks.sorted(by: { $0.key < $1.key }) {
                guard mark.low == 0 else {
                    throw BenchError("the embedded broker dropped the first \(mark.low) records of \(partition) (it keeps about 5 MB per partition): use fewer --kafka-records or more --partitions")
                }
                total += mark.high
                ranges.append(PartitionRange(topic, partition.partition, start: 0, end: mark.high))
            }
            guard total == Int64(records) else {
                throw BenchError("produced \(records) records but the topic holds \(total)")
            }
            return Feed(broker: broker, topic: topic, partitions: partitions, generated: generated, produceSeconds: produceSeconds, ranges: ranges)
        }
    }

    /// The records produced to `topic` so far: the sum of its partitions' high watermarks.
    static func produced(bootstrap: String, topic: String, partitions: Int) throws -> Int {
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
        let marks = try reader.watermarks(of: (0..<partitions).map { TopicPartition(topic, Int32($0)) })
        return Int(marks.values.reduce(0) { $0 + $1.high })
    }

    /// What one baseline read did.
    struct Read: Sendable {
        var records = 0
        var bytes = 0
        var seconds = 0.0
        /// Process CPU seconds (user + sys, every thread, the in-process broker's included).
        var cpu = 0.0
        var rate: Double { Double(records) / seconds }
    }

    /// Baseline B: the Kafka layer alone. Reads `batches` (each a list of partition ranges,
    /// one `KafkaRangeReader.read` call each, as the pipeline's batches did) and counts the
    /// records, without decoding them. The reader is connected before the clock starts.
    static func readOnly(bootstrap: String, batches: [[PartitionRange]]) async throws -> Read {
        try await BenchSupport.onThread("bench-kafka-read") { () throws -> Read in
            let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
            let partitions = batches.flatMap { $0.map(\.topicPartition) }
            _ = try reader.watermarks(of: Array(Set(partitions)).sorted())
            var result = Read()
            let cpu = BenchSupport.processCPUSeconds()
            let start = BenchSupport.now()
            for ranges in batches {
                try reader.read(ranges, timeout: .seconds(60)) { batch in
                    for record in batch {
                        result.records += 1
                        result.bytes += record.value?.count ?? 0
                    }
                }
            }
            result.seconds = BenchSupport.now() - start
            result.cpu = BenchSupport.processCPUSeconds() - cpu
            return result
        }
    }
}
