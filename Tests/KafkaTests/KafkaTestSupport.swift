import Kafka

/// An embedded broker with topics, and helpers to fill them, for one test.
struct KafkaFixture {
    let broker: EmbeddedKafka
    var configuration: KafkaConfiguration { KafkaConfiguration(bootstrapServers: broker.bootstrapServers) }

    init(topics: [String: Int]) throws {
        broker = try EmbeddedKafka()
        for (topic, partitions) in topics { try broker.createTopic(topic, partitions: partitions) }
    }

    /// Produces `count` records to each of `partitions`, with values "p<partition>-<n>" for n
    /// from `first`, and returns the producer used.
    @discardableResult
    func fill(_ topic: String, partitions: Int, count: Int, first: Int = 0, chunk: Int = 10_000) throws -> KafkaProducer {
        let producer = try KafkaProducer(configuration: configuration)
        for partition in 0..<partitions {
            var produced = first
            while produced < first + count {
                let size = min(chunk, first + count - produced)
                let records = (produced..<(produced + size)).map { n in
                    KafkaOutgoingRecord(
                        topic: topic, partition: Int32(partition), key: Array("k\(n)".utf8),
                        value: Array(Self.value(partition: partition, n: n).utf8))
                }
                try producer.send(records, timeout: .seconds(60))
                produced += size
            }
        }
        return producer
    }

    static func value(partition: Int, n: Int) -> String { "p\(partition)-\(n)" }
}

extension KafkaRecord {
    var valueText: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}
