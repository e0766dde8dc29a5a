internal import CRdKafka

/// librdkafka properties, set by name exactly as librdkafka documents them
/// (`bootstrap.servers`, `security.protocol`, `sasl.password`, ...).
///
/// Values whose name suggests a secret are masked in `description`, so a configuration can be
/// logged safely.
public struct KafkaConfiguration: Sendable, CustomStringConvertible {
    /// The properties, by librdkafka name.
    public var properties: [String: String]

    /// Makes a configuration from properties; `bootstrapServers` sets `bootstrap.servers`.
    public init(bootstrapServers: String? = nil, properties: [String: String] = [:]) {
        self.properties = properties
        if let bootstrapServers { self.properties["bootstrap.servers"] = bootstrapServers }
    }

    /// Reads or sets one property.
    public subscript(name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// The properties with secret values replaced by `***`.
    public var masked: [String: String] {
        properties.reduce(into: [:]) { result, entry in
            result[entry.key] = Self.isSecret(entry.key) ? "***" : entry.value
        }
    }

    public var description: String {
        masked.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// True for property names whose values must never be printed.
    public static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "jaas", "key.pem", "keystore", "token", "credential"]
            .contains { lowered.contains($0) } || lowered.hasSuffix(".key")
    }

    /// Builds a `rd_kafka_conf_t`, applying `defaults` first and then the user's properties
    /// (so the user wins), except `fixed`, which the caller relies on and which override both.
    /// The caller owns the result until it passes it to `rd_kafka_new`.
    func makeCConfiguration(
        defaults: [String: String] = [:],
        fixed: [String: String] = [:]
    ) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        do {
            for (name, value) in defaults where properties[name] == nil {
                try Self.set(name, value, on: conf)
            }
            for (name, value) in properties.sorted(by: { $0.key < $1.key }) where fixed[name] == nil {
                try Self.set(name, value, on: conf)
            }
            for (name, value) in fixed { try Self.set(name, value, on: conf) }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        return conf
    }

    private static func set(_ name: String, _ value: String, on conf: OpaquePointer) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
        guard result != RD_KAFKA_CONF_OK else { return }
        let shown = isSecret(name) ? "***" : value
        let reason = String(cText: errorText)
        let kind = result == RD_KAFKA_CONF_UNKNOWN ? "unknown librdkafka property" : "invalid value for librdkafka property"
        throw KafkaError(
            code: .invalidArgument,
            message: "\(kind) '\(name)' = '\(shown)': \(reason)",
            hint: result == RD_KAFKA_CONF_UNKNOWN
                ? "Check the spelling against librdkafka's CONFIGURATION.md (version \(KafkaVersion.librdkafka))"
                : "Fix the value of '\(name)' (librdkafka's CONFIGURATION.md lists the accepted values)"
        )
    }
}

/// Versions of the underlying C library.
public enum KafkaVersion {
    /// The librdkafka version this process runs with, e.g. `2.0.2`.
    public static var librdkafka: String { String(cString: rd_kafka_version_str()) }
}
