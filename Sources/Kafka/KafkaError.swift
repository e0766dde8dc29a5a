internal import CRdKafka

/// An error from librdkafka or from the Kafka layer, carrying librdkafka's code, name and text.
///
/// `description` is meant for operators: it says what failed, librdkafka's own words, and
/// (where we know one) what to do next.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// librdkafka's error code (`rd_kafka_resp_err_t`): negative values are client-side
    /// errors, positive values come from the broker.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let noError = Code(rawValue: 0)
        public static let unknown = Code(rawValue: -1)
        public static let badMessage = Code(rawValue: -199)
        public static let transport = Code(rawValue: -195)
        public static let allBrokersDown = Code(rawValue: -187)
        public static let invalidArgument = Code(rawValue: -186)
        public static let timedOut = Code(rawValue: -185)
        public static let queueFull = Code(rawValue: -184)
        public static let unknownPartition = Code(rawValue: -190)
        public static let unknownTopic = Code(rawValue: -188)
        public static let partitionEOF = Code(rawValue: -191)
        public static let offsetOutOfRange = Code(rawValue: 1)
        public static let unknownTopicOrPartition = Code(rawValue: 3)
        public static let requestTimedOut = Code(rawValue: 7)
        /// Not a librdkafka code: the partition's retained log no longer covers the planned
        /// offsets (retention deleted them, or the topic was recreated).
        public static let dataLoss = Code(rawValue: -10_001)

        public var description: String { KafkaError.name(of: self) }
    }

    /// The error code.
    public let code: Code
    /// librdkafka's symbolic name of the code, e.g. `UNKNOWN_TOPIC_OR_PART`.
    public let name: String
    /// What failed, in words: the operation, librdkafka's text, the object concerned.
    public let message: String
    /// What an operator can do about it, if we know.
    public let hint: String?
    /// True when retrying the same operation later may succeed (broker down, timeout).
    public let isRetriable: Bool
    /// True when the client instance is unusable and must be recreated.
    public let isFatal: Bool

    /// Makes an error with an explicit code and message.
    public init(
        code: Code,
        message: String,
        hint: String? = nil,
        isRetriable: Bool? = nil,
        isFatal: Bool = false
    ) {
        self.code = code
        self.name = KafkaError.name(of: code)
        self.message = message
        self.hint = hint ?? KafkaError.defaultHint(for: code)
        self.isRetriable = isRetriable ?? KafkaError.retriableCodes.contains(code)
        self.isFatal = isFatal
    }

    /// Wraps a `rd_kafka_resp_err_t` returned by `operation`.
    init(_ err: rd_kafka_resp_err_t, _ operation: String) {
        let code = Code(rawValue: err.rawValue)
        self.init(code: code, message: "\(operation): \(String(cString: rd_kafka_err2str(err)))")
    }

    /// Takes ownership of a `rd_kafka_error_t` (destroying it) returned by `operation`.
    init(taking error: OpaquePointer, _ operation: String) {
        defer { rd_kafka_error_destroy(error) }
        let code = Code(rawValue: rd_kafka_error_code(error).rawValue)
        self.init(
            code: code,
            message: "\(operation): \(String(cString: rd_kafka_error_string(error)))",
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || KafkaError.retriableCodes.contains(code),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    public var description: String {
        var text = "Kafka error \(name): \(message)"
        if let hint { text += ". \(hint)" }
        return text
    }

    static func name(of code: Code) -> String {
        if code == .dataLoss { return "DATA_LOSS" }
        return String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code.rawValue)))
    }

    /// Codes that describe a passing condition: a later attempt may succeed.
    static let retriableCodes: Set<Code> = [
        .transport, .allBrokersDown, .timedOut, .queueFull, .requestTimedOut,
        Code(rawValue: -192),  // _MSG_TIMED_OUT
        Code(rawValue: -187),  // _ALL_BROKERS_DOWN
        Code(rawValue: 5),  // LEADER_NOT_AVAILABLE
        Code(rawValue: 6),  // NOT_LEADER_FOR_PARTITION
        Code(rawValue: 13),  // NETWORK_EXCEPTION
    ]

    static func defaultHint(for code: Code) -> String? {
        switch code {
        case .unknownTopic, .unknownTopicOrPartition, .unknownPartition:
            return "Check the topic name and partition count, or create the topic first"
        case .transport, .allBrokersDown, .timedOut, .requestTimedOut:
            return "Check that the brokers in bootstrap.servers are up and reachable; the operation can be retried"
        case .invalidArgument:
            return "Fix the value named above (librdkafka's CONFIGURATION.md lists every property)"
        default:
            return nil
        }
    }
}
