internal import CRdKafka

/// A Kafka message header: a name and an optional value.
public struct KafkaHeader: Hashable, Sendable {
    public var name: String
    /// The value's bytes; nil for a header with a null value.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is UTF-8 text.
    public init(name: String, text: String) {
        self.init(name: name, value: Array(text.utf8))
    }
}

/// A record read from Kafka, copied out of librdkafka's buffers.
public struct KafkaRecord: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The key, nil when the record has none.
    public var key: [UInt8]?
    /// The value, nil for a tombstone (a record with a null value).
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch, nil when the broker gave none.
    public var timestamp: Int64?

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// A view of one message in librdkafka's memory. Valid only inside the closure that received
/// the batch it belongs to: keep bytes beyond that by copying them (`copy()`).
public struct KafkaRecordView {
    let message: UnsafeMutablePointer<rd_kafka_message_t>

    /// The partition this record was read from.
    public var partition: Int32 { message.pointee.partition }
    /// The record's offset in its partition.
    public var offset: Int64 { message.pointee.offset }

    /// The value's bytes, or nil for a tombstone. No copy is made.
    public var value: UnsafeRawBufferPointer? {
        guard let payload = message.pointee.payload else { return nil }
        return UnsafeRawBufferPointer(start: payload, count: message.pointee.len)
    }

    /// The key's bytes, or nil when the record has no key. No copy is made.
    public var key: UnsafeRawBufferPointer? {
        guard let key = message.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: message.pointee.key_len)
    }

    /// The timestamp in milliseconds since the epoch, nil when not available.
    public var timestamp: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let value = rd_kafka_message_timestamp(message, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : value
    }

    /// The headers, copied.
    public var headers: [KafkaHeader] {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else {
            return []
        }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }

    /// Copies the record out of librdkafka's memory.
    public func copy(topic: String) -> KafkaRecord {
        KafkaRecord(
            topic: topic, partition: partition, offset: offset,
            key: key.map { Array($0) }, value: value.map { Array($0) },
            headers: headers, timestamp: timestamp)
    }
}

/// Consecutive records of one partition, in offset order, as librdkafka delivered them.
/// Valid only inside the closure that received it.
public struct KafkaRecordBatch: RandomAccessCollection {
    /// The partition all records of the batch come from.
    public let topicPartition: TopicPartition
    let messages: UnsafeBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>>
    /// True when no more of this partition's records are ready now: its range is complete,
    /// or its queue held fewer records than the read asked for (the rest is still on its way
    /// from the broker). A caller gathering records can hand on what it has instead of
    /// waiting for more. After waiting for records the read asks for one, so that first
    /// record comes alone and is not caught up; the next batch says how things stand.
    public let isCaughtUp: Bool

    public var startIndex: Int { 0 }
    public var endIndex: Int { messages.count }
    public subscript(position: Int) -> KafkaRecordView { KafkaRecordView(message: messages[position]) }

    /// Copies every record of the batch.
    public func copyAll() -> [KafkaRecord] { map { $0.copy(topic: topicPartition.topic) } }
}
