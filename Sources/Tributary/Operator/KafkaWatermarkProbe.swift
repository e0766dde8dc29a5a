public import Kafka

/// Asks the brokers of a Kafka source for the watermarks of some partitions, for operator
/// commands (lag). It never touches the checkpoint and never joins a consumer group.
public enum KafkaWatermarkProbe {
    /// The low and high watermarks of `partitions`. Each broker request waits at most
    /// `timeout`; a source with `bootstrap_servers = "embedded"` has no broker to ask.
    public static func watermarks(
        source: KafkaSourceConfig, partitions: [TopicPartition], timeout: Duration = .seconds(2)
    ) throws(KafkaError) -> [TopicPartition: Watermarks] {
        guard !source.isEmbedded else {
            throw KafkaError(code: .invalidArgument, message: "bootstrap_servers = \"embedded\" lives only inside the running pipeline",
                             hint: "Lag is shown for real brokers only")
        }
        var properties = source.librdkafka
        // Fail fast on brokers that do not answer: this is a status query, not a pipeline.
        properties["socket.connection.setup.timeout.ms"] = properties["socket.connection.setup.timeout.ms"] ?? String(max(1000, timeout.wholeMilliseconds))
        let reader = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: source.bootstrapServers, properties: properties))
        return try reader.watermarks(of: partitions, timeout: timeout)
    }
}

extension Duration {
    /// Whole milliseconds, for librdkafka timeouts.
    fileprivate var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
