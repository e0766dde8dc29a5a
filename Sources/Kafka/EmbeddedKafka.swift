internal import CRdKafka

/// An in-process Kafka-protocol broker (librdkafka's mock cluster) listening on loopback
/// TCP, for tests and offline demos. Real clients (this layer, kcat) talk to it through
/// `bootstrapServers`.
///
/// Limits, inherited from librdkafka 2.0.2's mock cluster: data is kept in memory only; each
/// partition keeps about 5 MB or 100 000 message sets and drops its oldest data beyond that,
/// as retention would; timestamp lookups are not implemented; transactions are accepted but
/// not really applied; partitions cannot be added to an existing topic; ports are random.
public final class EmbeddedKafka: Sendable {
    let client: RDKafkaClient
    // The rd_kafka_mock_cluster_t *, owned by `client`'s handle and destroyed before it.
    // librdkafka serialises every mock call through the cluster's own thread.
    nonisolated(unsafe) let cluster: OpaquePointer

    /// The `host:port,...` list to use as `bootstrap.servers`.
    public let bootstrapServers: String
    /// The number of brokers (ids 1 through `brokerCount`).
    public let brokerCount: Int

    /// Starts `brokers` brokers on random loopback ports.
    public init(brokers: Int = 1) throws(KafkaError) {
        // The mock cluster lives inside a client handle; a producer handle is the lightest.
        client = try RDKafkaClient.make(.producer, configuration: KafkaConfiguration(), fixed: [
            "bootstrap.servers": "",
            // The host handle never connects anywhere: keep its "no bootstrap.servers" notice quiet.
            "log_level": "4",
        ])
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError(code: .unknown, message: "could not start the embedded Kafka broker", hint: "See the librdkafka log lines above")
        }
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates `topic` with `partitions` partitions. Creating an existing topic fails with
    /// TOPIC_ALREADY_EXISTS.
    public func createTopic(_ topic: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), Int32(replicationFactor))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "creating topic \(topic)") }
    }

    /// Takes broker `id` down: it closes its connections and refuses new ones.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_down(cluster, id)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "setting broker \(id) down") }
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_up(cluster, id)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "setting broker \(id) up") }
    }

    /// Takes every broker down (a whole-cluster outage).
    public func setAllBrokersDown() throws(KafkaError) {
        for id in 1...brokerCount { try setBrokerDown(Int32(id)) }
    }

    /// Brings every broker back up.
    public func setAllBrokersUp() throws(KafkaError) {
        for id in 1...brokerCount { try setBrokerUp(Int32(id)) }
    }
}
