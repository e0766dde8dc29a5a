import Kafka
import Logging

/// The Kafka side of the engine: a range reader, metadata queries, and (for
/// `bootstrap_servers = "embedded"`) the in-process broker it reads from.
final class KafkaSource {
    let config: KafkaSourceConfig
    let reader: KafkaRangeReader
    /// The in-process broker, kept alive as long as the source.
    let embedded: EmbeddedKafka?

    init(config: KafkaSourceConfig, logger: Logger) throws {
        self.config = config
        var properties = config.librdkafka
        if config.isEmbedded {
            let broker = try EmbeddedKafka()
            for topic in config.topics { try broker.createTopic(topic, partitions: config.embeddedPartitions) }
            properties["bootstrap.servers"] = broker.bootstrapServers
            embedded = broker
            for file in config.embeddedLoad {
                let count = try broker.load(jsonLinesFile: file, into: config.topics[0], partitions: config.embeddedPartitions)
                logger.info("embedded Kafka: loaded \(count) records from \(file) into \(config.topics[0])")
            }
        } else {
            properties["bootstrap.servers"] = config.bootstrapServers
            embedded = nil
        }
        reader = try KafkaRangeReader(configuration: KafkaConfiguration(properties: properties))
    }

    /// Every partition of the configured topics and its watermarks, from one metadata request
    /// and two ListOffsets round trips (planning runs this at every trigger). A missing topic
    /// is an error.
    func partitionsAndWatermarks() throws -> (partitions: [TopicPartition], watermarks: [TopicPartition: Watermarks]) {
        let (partitions, watermarks) = try reader.partitionsAndWatermarks(of: config.topics)
        let found = Set(partitions.map(\.topic))
        if let topic = config.topics.first(where: { !found.contains($0) }) {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic '\(topic)' in [source.kafka] topics does not exist on \(config.bootstrapServers)", hint: "Create the topic, or fix the name in the configuration")
        }
        return (partitions, watermarks)
    }
}
