import Glibc

/// Reads the lines written by `ProcessedFilesLineEncoder`; failures are `CheckpointJSONScanner.Failure`s
/// that the caller turns into errors naming the file and line.
struct ProcessedFilesLineDecoder {
    typealias Failure = CheckpointJSONScanner.Failure

    private var path: String?
    private var format: String?
    private var complete: Bool?
    private var integers = Integers()

    static func logHeader(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> Int64 {
        let fields = try scan(bytes, range)
        try fields.requireFormat(ProcessedFilesLineEncoder.logFormat)
        return try natural(fields.integers.generation, "generation")
    }

    static func snapshotHeader(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) throws -> (generation: Int64, count: Int64) {
        let fields = try scan(bytes, range)
        try fields.requireFormat(ProcessedFilesLineEncoder.snapshotFormat)
        let number = fields.integers
        let version = try natural(number.version, "version")
        guard version == ProcessedFilesLineEncoder.snapshotVersion else {
            throw Failure(reason: "snapshot format version \(version) is not supported")
        }
        return (try natural(number.generation, "generation"), try natural(number.count, "count"))
    }

    static func takenFile(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> TakenFile {
        let fields = try scan(bytes, range)
        let number = fields.integers
        let entry = TakenFile(
            path: try need(fields.path, "path"),
            size: try natural(number.size, "size"),
            mtimeNanos: try need(number.mtimeNanos, "mtimeNanos"),
            batch: try natural(number.batch, "batch"),
            rangeStart: try natural(number.rangeStart, "rangeStart"),
            rangeEnd: try natural(number.rangeEnd, "rangeEnd"),
            complete: try need(fields.complete, "complete"),
            lines: number.lines ?? 0
        )
        if let problem = entry.problem { throw Failure(reason: problem) }
        return entry
    }

    static func snapshotEntry(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) throws -> (path: String, state: ProcessedFilesLog.FileState) {
        let fields = try scan(bytes, range)
        let number = fields.integers
        let state = ProcessedFilesLog.FileState(
            size: try natural(number.size, "size"),
            mtimeNanos: try need(number.mtimeNanos, "mtimeNanos"),
            bytesTaken: try natural(number.bytesTaken, "bytesTaken"),
            complete: try need(fields.complete, "complete"),
            batch: try natural(number.batch, "batch"),
            lines: number.lines ?? 0
        )
        let path = try need(fields.path, "path")
        guard !path.isEmpty, state.bytesTaken <= state.size || path.hasSuffix(".gz") else {
            throw Failure(reason: "empty path or bytesTaken beyond size")
        }
        return (path, state)
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> Self {
        var fields = Self()
        var scanner = CheckpointJSONScanner(bytes, range: range)
        try scanner.scanObject { key, value in fields.set(key, value) }
        return fields
    }

    private mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: CheckpointJSONScanner.Value) {
        switch value {
        case .string(let text) where Self.matches(key, "path"): path = text
        case .string(let text) where Self.matches(key, "format"): format = text
        case .boolean(let flag) where Self.matches(key, "complete"): complete = flag
        case .integer(let number): integers.set(key, number)
        default: break  // Unknown members are skipped so that a newer writer may add some.
        }
    }

    static func matches(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount && (key.isEmpty || memcmp(key.baseAddress!, name.utf8Start, key.count) == 0)
    }

    private func requireFormat(_ expected: String) throws {
        guard format == expected else {
            throw Failure(reason: "the header's \"format\" is not \"\(expected)\"")
        }
    }

    private static func need<T>(_ value: T?, _ key: String) throws -> T {
        guard let value else { throw Failure(reason: "field \"\(key)\" is missing or has the wrong type") }
        return value
    }

    private static func natural(_ value: Int64?, _ key: String) throws -> Int64 {
        let value = try need(value, key)
        guard value >= 0 else { throw Failure(reason: "field \"\(key)\" is negative") }
        return value
    }

    /// Fixed slots rather than a dictionary: this runs once per line of a million-line snapshot.
    private struct Integers {
        var size, mtimeNanos, batch, rangeStart, rangeEnd, bytesTaken, generation, count, version, lines: Int64?

        mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: Int64) {
            let matches = ProcessedFilesLineDecoder.matches
            if matches(key, "size") { size = value }
            else if matches(key, "mtimeNanos") { mtimeNanos = value }
            else if matches(key, "batch") { batch = value }
            else if matches(key, "rangeStart") { rangeStart = value }
            else if matches(key, "rangeEnd") { rangeEnd = value }
            else if matches(key, "bytesTaken") { bytesTaken = value }
            else if matches(key, "generation") { generation = value }
            else if matches(key, "count") { count = value }
            else if matches(key, "version") { version = value }
            else if matches(key, "lines") { lines = value }
        }
    }
}
