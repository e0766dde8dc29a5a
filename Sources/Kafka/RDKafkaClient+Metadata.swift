internal import CRdKafka

extension RDKafkaClient {
    /// Partition counts of `topics`, from one metadata request for all topics (which, unlike a
    /// request naming the topic, never auto-creates it). Topics that do not exist are absent.
    func partitionCounts(of topics: [String], timeout: Duration) throws(KafkaError) -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, "metadata request")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let wanted = Set(topics)
        var counts: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            let name = String(cString: topic.topic)
            guard wanted.contains(name), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            counts[name] = Int(topic.partition_cnt)
        }
        return counts
    }

    /// Low and high watermarks of many partitions: two ListOffsets round trips in all
    /// (`rd_kafka_offsets_for_times` with the special times -2 and -1), falling back to one
    /// query per partition when that fails.
    ///
    /// `counts` are the topics' partition counts when the caller has just read them; else they
    /// are read here, in one more metadata request.
    func watermarks(
        of partitions: [TopicPartition],
        counts known: [String: Int]? = nil,
        timeout: Duration
    ) throws(KafkaError) -> [TopicPartition: Watermarks] {
        guard !partitions.isEmpty else { return [:] }
        // A ListOffsets request for a missing topic can make a broker with topic auto-creation
        // (the embedded one included) create it: check existence first, without creating.
        let counts: [String: Int]
        if let known {
            counts = known
        } else {
            counts = try partitionCounts(of: Array(Set(partitions.map(\.topic))), timeout: timeout)
        }
        for partition in partitions {
            guard let count = counts[partition.topic] else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "topic '\(partition.topic)' does not exist")
            }
            guard partition.partition >= 0, Int(partition.partition) < count else {
                throw KafkaError(code: .unknownPartition, message: "\(partition) does not exist: topic '\(partition.topic)' has \(count) partitions")
            }
        }
        do throws(KafkaError) {
            let low = try offsetsForTimes(partitions, time: -2, timeout: timeout)
            let high = try offsetsForTimes(partitions, time: -1, timeout: timeout)
            var result: [TopicPartition: Watermarks] = [:]
            for partition in partitions {
                guard let lowOffset = low[partition], let highOffset = high[partition] else {
                    throw KafkaError(code: .unknownPartition, message: "no watermarks returned for \(partition)")
                }
                result[partition] = Watermarks(low: lowOffset, high: highOffset)
            }
            return result
        } catch where error.code == .unknownTopicOrPartition || error.code == .unknownPartition {
            throw error
        } catch {
            kafkaLogger.debug("offsets_for_times failed (\(error)); querying watermarks one partition at a time")
        }
        var result: [TopicPartition: Watermarks] = [:]
        for partition in partitions {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(
                handle, partition.topic, partition.partition, &low, &high, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(err, "watermark query for \(partition)")
            }
            result[partition] = Watermarks(low: low, high: high)
        }
        return result
    }

    private func offsetsForTimes(
        _ partitions: [TopicPartition],
        time: Int64,
        timeout: Duration
    ) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = TopicPartitionList(partitions.map { ($0, time) })
        let err = rd_kafka_offsets_for_times(handle, list.pointer, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, "offsets_for_times (ListOffsets) for \(partitions.count) partitions")
        }
        var result: [TopicPartition: Int64] = [:]
        for element in list.elements {
            let partition = TopicPartition(String(cString: element.topic), element.partition)
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(element.err, "offset query for \(partition)")
            }
            result[partition] = element.offset
        }
        return result
    }
}

/// Owns a `rd_kafka_topic_partition_list_t`.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ entries: [(TopicPartition, Int64)]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(entries.count))
        for (partition, offset) in entries {
            let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!
            element.pointee.offset = offset
        }
    }

    var elements: UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeMutableBufferPointer(start: pointer.pointee.elems, count: Int(pointer.pointee.cnt))
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }
}

extension Duration {
    /// Whole milliseconds, clamped to what librdkafka's `int timeout_ms` takes.
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, total))
    }
}
