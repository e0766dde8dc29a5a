internal import CRdKafka
import Dispatch
import Logging
import Synchronization

/// Owns one `rd_kafka_t` handle: creates it from a configuration and destroys it in `deinit`,
/// within a time limit so that shutdown never hangs on a broker that does not answer.
///
/// librdkafka documents `rd_kafka_t` as thread-safe, which is why this one wrapper is
/// `@unchecked Sendable`; everything not thread-safe (partition queues, delivery slots) is
/// owned by the public types and guarded there.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case consumer
        case producer

        var cType: rd_kafka_type_t { self == .consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER }
    }

    /// The `rd_kafka_t *`.
    let handle: OpaquePointer
    let kind: Kind
    /// How long `deinit` waits for `rd_kafka_destroy` before leaving its threads behind.
    let destroyTimeout: Duration

    private init(handle: OpaquePointer, kind: Kind, destroyTimeout: Duration) {
        self.handle = handle
        self.kind = kind
        self.destroyTimeout = destroyTimeout
    }

    /// Creates a handle. `configure` may install callbacks on the `rd_kafka_conf_t` first.
    static func make(
        _ kind: Kind,
        configuration: KafkaConfiguration,
        defaults: [String: String] = [:],
        fixed: [String: String] = [:],
        destroyTimeout: Duration = .seconds(10),
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> RDKafkaClient {
        let conf = try configuration.makeCConfiguration(defaults: defaults, fixed: fixed)
        rd_kafka_conf_set_log_cb(conf, forwardLibrdkafkaLog)
        configure(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(kind.cType, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = String(cText: errorText)
            throw KafkaError(
                code: .invalidArgument,
                message: "could not create a Kafka \(kind): \(reason)",
                hint: "Check the librdkafka properties in the configuration"
            )
        }
        return RDKafkaClient(handle: handle, kind: kind, destroyTimeout: destroyTimeout)
    }

    /// Whether librdkafka made a consumer group for this handle (a consumer with a `group.id`).
    var hasConsumerGroup: Bool {
        guard let metadata = rd_kafka_consumer_group_metadata(handle) else { return false }
        rd_kafka_consumer_group_metadata_destroy(metadata)
        return true
    }

    deinit {
        nonisolated(unsafe) let handle = self.handle
        let isConsumer = kind == .consumer
        let finished = DispatchSemaphore(value: 0)
        // rd_kafka_destroy can block for a long time when brokers do not answer (and forever
        // in some librdkafka 2.0.x corner cases), so it runs on a thread of its own.
        DispatchQueue.global().async {
            // Range readers never join a group, so there is no group to leave on close.
            rd_kafka_destroy_flags(handle, isConsumer ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0)
            finished.signal()
        }
        let limit = DispatchTime.now() + .milliseconds(Int(destroyTimeout.components.seconds * 1000))
        if finished.wait(timeout: limit) == .timedOut {
            kafkaLogger.warning(
                "librdkafka did not shut down within \(destroyTimeout); leaving its threads to finish in the background"
            )
        }
    }

    /// The value the handle uses for the configuration property `name` (set or default), nil
    /// for a property it does not know.
    func configurationValue(_ name: String) -> String? {
        var size = 0
        guard let conf = rd_kafka_conf(handle), rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK else { return nil }
        var text = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &text, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(cText: text)
    }

    /// Serves queued callbacks (delivery reports, errors) on the calling thread.
    @discardableResult
    func poll(timeoutMilliseconds: Int32) -> Int32 {
        rd_kafka_poll(handle, timeoutMilliseconds)
    }
}

/// The logger librdkafka's own log lines go to.
let kafkaLogger = Logger(label: "tributary.kafka")

/// librdkafka's log callback: its syslog levels mapped onto swift-log's.
private func forwardLibrdkafkaLog(
    _ client: OpaquePointer?,
    _ level: Int32,
    _ facility: UnsafePointer<CChar>?,
    _ text: UnsafePointer<CChar>?
) {
    let swiftLevel: Logger.Level
    switch level {
    case ...2: swiftLevel = .critical
    case 3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5: swiftLevel = .notice
    case 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    let facilityText = facility.map { String(cString: $0) } ?? "?"
    let message = text.map { String(cString: $0) } ?? ""
    kafkaLogger.log(level: swiftLevel, "librdkafka \(facilityText): \(message)")
}
