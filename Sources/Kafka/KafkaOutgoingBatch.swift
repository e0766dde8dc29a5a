/// Records to produce to one topic with the same headers, their keys and values back to back
/// in one byte buffer: what a sink makes of a chunk of rows without an array per record.
///
/// Produce it with `KafkaProducer.enqueue(_:timeout:)`, then `waitForDeliveries(timeout:)`
/// for its delivery reports. Every record has a value (never a
/// tombstone); a key is optional. The partitioner places each record (by key hash when it has
/// a key).
public struct KafkaOutgoingBatch: Sendable {
    /// Where one record's value and key lie in `bytes`.
    struct Entry: Sendable {
        var valueStart: Int
        var valueCount: Int
        var keyStart = 0
        /// -1 when the record has no key.
        var keyCount = -1
    }

    public let topic: String
    /// Every record's headers, in order.
    public var headers: [KafkaHeader]
    private(set) var bytes: [UInt8] = []
    private(set) var entries: [Entry] = []

    /// An empty batch with room for `records` records of about `bytesPerRecord` bytes.
    public init(topic: String, headers: [KafkaHeader] = [], reservingRecords records: Int = 0, bytesPerRecord: Int = 0) {
        self.topic = topic
        self.headers = headers
        entries.reserveCapacity(records)
        bytes.reserveCapacity(records * bytesPerRecord)
    }

    /// The number of records.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a record without a key: `value` appends the value's bytes to the buffer it is
    /// given.
    public mutating func append(value: (inout [UInt8]) -> Void) {
        let start = bytes.count
        value(&bytes)
        entries.append(Entry(valueStart: start, valueCount: bytes.count - start))
    }

    /// Appends a record: `value` appends the value's bytes to the buffer it is given, then
    /// `key` appends the key's and returns true, or returns false for no key.
    // Two methods rather than an optional `key`: an optional closure escapes, and its context
    // would be allocated for every record.
    public mutating func append(value: (inout [UInt8]) -> Void, key: (inout [UInt8]) -> Bool) {
        append(value: value)
        let keyStart = bytes.count
        if key(&bytes) {
            entries[entries.count - 1].keyStart = keyStart
            entries[entries.count - 1].keyCount = bytes.count - keyStart
        } else {
            bytes.removeSubrange(keyStart...)
        }
    }

    /// Record `index`'s value, in `bytes` (this batch's buffer).
    func value(in bytes: UnsafeRawBufferPointer, at index: Int) -> UnsafeRawBufferPointer {
        let entry = entries[index]
        return UnsafeRawBufferPointer(rebasing: bytes[entry.valueStart..<(entry.valueStart + entry.valueCount)])
    }

    /// Record `index`'s key in `bytes` (this batch's buffer), nil when it has none.
    func key(in bytes: UnsafeRawBufferPointer, at index: Int) -> UnsafeRawBufferPointer? {
        let entry = entries[index]
        guard entry.keyCount >= 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[entry.keyStart..<(entry.keyStart + entry.keyCount)])
    }

    /// Record `index`'s value, copied.
    public func value(at index: Int) -> [UInt8] {
        bytes.withUnsafeBytes { Array(value(in: $0, at: index)) }
    }

    /// Record `index`'s key, copied; nil when it has none.
    public func key(at index: Int) -> [UInt8]? {
        bytes.withUnsafeBytes { key(in: $0, at: index).map { Array($0) } }
    }
}
