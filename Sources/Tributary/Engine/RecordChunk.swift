import Kafka

/// A slice of a batch's input as it arrived, before decoding: the raw bytes of up to about a
/// MiB of records from one source, back to back in one buffer, with where each came from.
///
/// A batch is read as a sequence of chunks so that decoding, transforming and serializing can
/// run on every core while the next chunk is read, and so that memory depends on the chunk
/// size rather than on the batch size. A chunk keeps its records' original bytes, which is
/// what a dead letter holds when a record fails after decoding.
struct RecordChunk: Sendable {
    /// Where a chunk's records came from.
    enum Source: Sendable {
        case kafka(TopicPartition)
        case file(path: String)
        /// Replayed dead letters; `letters[i]` is entry `i`'s letter as it was read back.
        case replay(letters: [DeadLetter], sources: [DeadLetterEntry.Source])
    }

    /// One record's place in `bytes` and its position in its source.
    struct Entry: Sendable {
        var start: Int
        var length: Int
        /// A Kafka record's key in `bytes`; `keyLength` is -1 when it has no key.
        var keyStart = 0
        var keyLength = -1
        /// The line number (files) or the offset (Kafka).
        var position: Int64
        /// The byte offset (files), or the Kafka timestamp in milliseconds (`Int64.min`: none).
        var extra: Int64
    }

    /// A chunk is handed on once it holds this many bytes or records. Kafka chunks are
    /// smaller: a batch's records are spread over many partitions, and a chunk per partition
    /// must fill up while the partition is read for processing to overlap reading.
    let targetBytes: Int
    let targetRecords: Int
    /// A Kafka chunk is handed on before it is full, once it has this many records, when its
    /// partition has no more records ready (see `KafkaRecordBatch.isCaughtUp`).
    static let minimumPartialRecords = 256

    let source: Source
    var bytes: [UInt8] = []
    var entries: [Entry] = []
    /// Records the reader rejected before decoding (oversize, unreadable), in order.
    var letters: [DeadLetter] = []
    /// Records read, those in `letters` included.
    var read = 0

    init(source: Source) {
        self.source = source
        if case .kafka = source {
            (targetBytes, targetRecords) = (512 << 10, 4_096)
        } else {
            (targetBytes, targetRecords) = (1 << 20, 8_192)
        }
        // The buffers come with the first record (`append`): a chunk that stays empty, like a
        // partition's next chunk at the end of a batch, never holds spare memory, so dropping
        // it frees nothing a later chunk would have reused.
    }

    /// Gives the chunk's buffers to the next chunk, once it has been processed; the chunk is
    /// empty afterwards.
    mutating func recycle() {
        SpareBuffers.chunkBytes.recycle(&bytes)
        SpareBuffers.chunkEntries.recycle(&entries)
    }

    /// Returns this chunk and leaves an empty one of the same source in its place: how a
    /// reader hands a full chunk on. Passed straight to a `consuming` parameter, the chunk
    /// handed on is then its buffers' only owner, so the worker that processes it can recycle
    /// them; had the reader still held a reference, recycling would have had to copy them.
    mutating func handOff() -> RecordChunk {
        var full = RecordChunk(source: source)
        swap(&full, &self)
        return full
    }

    var isFull: Bool { bytes.count >= targetBytes || entries.count >= targetRecords }
    var isEmpty: Bool { read == 0 }

    /// "kafka", "files" or "replay": the source its records are counted under.
    var sourceName: String {
        switch source {
        case .kafka: return "kafka"
        case .file: return "files"
        case .replay: return "replay"
        }
    }

    /// "kafka", "file" or "replay", as `origin()` and the Kafka sink's header say.
    var originName: String {
        switch source {
        case .kafka: return "kafka"
        case .file: return "file"
        case .replay: return "replay"
        }
    }

    /// Appends one record's bytes.
    mutating func append(_ value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer? = nil, position: Int64, extra: Int64) {
        if bytes.capacity == 0 {
            // Room for a full chunk and the record that fills it, so appending never copies;
            // the memory of an earlier chunk when there is a spare.
            bytes = SpareBuffers.chunkBytes.take(capacity: targetBytes + (64 << 10))
            entries = SpareBuffers.chunkEntries.take(capacity: targetRecords)
        }
        var entry = Entry(start: bytes.count, length: value.count, position: position, extra: extra)
        bytes.append(contentsOf: value)
        if let key {
            entry.keyStart = bytes.count
            entry.keyLength = key.count
            bytes.append(contentsOf: key)
        }
        entries.append(entry)
        read += 1
    }

    /// The original bytes of entry `index`.
    func raw(_ index: Int) -> [UInt8] {
        let entry = entries[index]
        return Array(bytes[entry.start..<(entry.start + entry.length)])
    }

    /// Where entry `index` came from, for its dead letter.
    func origin(_ index: Int) -> DeadLetter.Origin {
        let entry = entries[index]
        switch source {
        case .kafka(let partition):
            let key = entry.keyLength < 0 ? nil : Array(bytes[entry.keyStart..<(entry.keyStart + entry.keyLength)])
            return .kafka(topic: partition.topic, partition: partition.partition, offset: entry.position, key: key)
        case .file(let path):
            return .file(path: path, line: entry.position, byteOffset: entry.extra)
        case .replay(let letters, _):
            return letters[index].origin
        }
    }

    /// The origin of a line of this chunk's file that never became an entry (a file chunk).
    func fileOrigin(line: Int64, byteOffset: Int64) -> DeadLetter.Origin {
        guard case .file(let path) = source else { preconditionFailure("fileOrigin of a \(sourceName) chunk") }
        return .file(path: path, line: line, byteOffset: byteOffset)
    }

    /// The value of a metadata column (`@offset`, `@file`, ...) for entry `index`.
    func metadata(_ kind: RecordMetadata, of index: Int) -> FieldValue {
        let entry = entries[index]
        switch source {
        case .kafka(let partition):
            switch kind {
            case .origin: return .string("kafka")
            case .topic: return .string(partition.topic)
            case .partition: return .int(Int64(partition.partition))
            case .offset: return .int(entry.position)
            case .key:
                guard entry.keyLength >= 0 else { return .null }
                return .string(String(decoding: bytes[entry.keyStart..<(entry.keyStart + entry.keyLength)], as: UTF8.self))
            case .timestamp: return entry.extra == Int64.min ? .null : .timestamp(entry.extra * 1000)
            case .file, .line, .byteOffset: return .null
            }
        case .file(let path):
            switch kind {
            case .origin: return .string("file")
            case .file: return .string(path)
            case .line: return .int(entry.position)
            case .byteOffset: return .int(entry.extra)
            case .topic, .partition, .offset, .key, .timestamp: return .null
            }
        case .replay(_, let sources):
            return BatchRunner.replayMetadata(kind, sources[index])
        }
    }
}
