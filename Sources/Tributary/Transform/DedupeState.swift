import Glibc

/// The keys one `dedupe` step has seen, with the batch time they were first seen at.
///
/// Kept in the checkpoint as one file per batch, `state/dedupe-<n>/<batch>`, holding the keys
/// that batch added: written before the batch commits and replaced if it runs again, so a
/// restart rebuilds exactly the state the last committed batch left. Files whose keys have
/// all expired are deleted.
final class DedupeState {
    let folder: String
    let within: Duration
    private var seen: [String: Int64] = [:]
    private var staged: [String: Int64] = [:]
    private var withinMicros: Int64 { within.nanoseconds / 1000 }

    /// Loads the keys added by batches up to `lastCommitted`.
    init(checkpointDir: String, ordinal: Int, within: Duration, lastCommitted: Int64?) throws {
        folder = "\(checkpointDir)/state/dedupe-\(ordinal)"
        self.within = within
        try AtomicFileWriter.makeFolder(folder, mode: 0o700)
        guard let lastCommitted else { return }
        var newest: Int64 = .min
        for (batch, path) in try deltaFiles() where batch <= lastCommitted {
            let (time, keys) = try Self.readDelta(path)
            newest = max(newest, time)
            for key in keys where seen[key] == nil || seen[key]! > time { seen[key] = time }
        }
        seen = seen.filter { newest - $0.value < withinMicros }
    }

    /// True when `key` was seen less than `within` before `time`; otherwise remembers it
    /// (staged until `commit`).
    func isDuplicate(_ key: String, at time: Int64) -> Bool {
        if let first = staged[key] ?? seen[key], time - first < withinMicros { return true }
        staged[key] = time
        return false
    }

    /// Writes this batch's additions, before the batch commits.
    func writeDelta(batch: Int64, time: Int64) throws {
        var buffer = Array("{\"batch\":\(batch),\"time\":\(time),\"keys\":\(staged.count)}\n".utf8)
        for key in staged.keys.sorted() {
            JSONLineWriter.appendQuoted(key, to: &buffer)
            buffer.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(buffer, to: "\(folder)/\(batch)", mode: 0o600)
    }

    /// The batch committed: its additions become part of the state; expired keys and files go.
    func commit(time: Int64) throws {
        for (key, first) in staged { seen[key] = first }
        staged.removeAll()
        seen = seen.filter { time - $0.value < withinMicros }
        for (_, path) in try deltaFiles() {
            if let (deltaTime, _) = try? Self.readHeader(path), time - deltaTime >= withinMicros { unlink(path) }
        }
    }

    /// The batch failed: forget its additions.
    func discard() { staged.removeAll() }

    /// The text identifying a record: its key columns as JSON, separated by a unit separator.
    static func key(of row: UnsafeBufferPointer<FieldValue>, columns: [Int]) -> String {
        var buffer: [UInt8] = []
        for (position, column) in columns.enumerated() {
            if position > 0 { buffer.append(0x1F) }
            JSONLineWriter.appendValue(row[column], to: &buffer)
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    private func deltaFiles() throws -> [(Int64, String)] {
        try CheckpointFileSystem.listNames(folder).compactMap { name in Int64(name).map { ($0, "\(folder)/\(name)") } }.sorted { $0.0 < $1.0 }
    }

    private static func readHeader(_ path: String) throws -> (Int64, Int) {
        let bytes = try AtomicFile.read(path)
        let header = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return try parseHeader(Array(header), path: path)
    }

    private static func readDelta(_ path: String) throws -> (Int64, [String]) {
        let bytes = try AtomicFile.read(path)
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw corrupt(path, "it is empty") }
        let (time, count) = try parseHeader(Array(lines.removeFirst()), path: path)
        guard lines.count == count else { throw corrupt(path, "its header announces \(count) keys but it holds \(lines.count)") }
        // Each key line is one JSON string: decode it as the value of a one-field record.
        let decoder = RecordDecoder(schema: Schema(fields: [SchemaField(name: "k", type: .string, required: true)]))
        var keys: [String] = []
        keys.reserveCapacity(count)
        var row: [FieldValue] = []
        for line in lines {
            row.removeAll(keepingCapacity: true)
            let wrapped = Array("{\"k\":".utf8) + line + [UInt8(ascii: "}")]
            guard decoder.decode(wrapped, into: &row) == nil, case .string(let key) = row[0] else {
                throw corrupt(path, "a key line is not a JSON string")
            }
            keys.append(key)
        }
        return (time, keys)
    }

    private static func parseHeader(_ line: [UInt8], path: String) throws -> (Int64, Int) {
        var row: [FieldValue] = []
        let decoder = RecordDecoder(schema: Schema(fields: [
            SchemaField(name: "time", type: .int, required: true), SchemaField(name: "keys", type: .int, required: true),
        ]))
        guard decoder.decode(line, into: &row) == nil, case .int(let time) = row[0], case .int(let count) = row[1] else {
            throw corrupt(path, "its first line is not a {\"batch\",\"time\",\"keys\"} header")
        }
        return (time, Int(count))
    }

    private static func corrupt(_ path: String, _ reason: String) -> CheckpointError {
        CheckpointError(code: .corrupt, path: path, message: "dedupe state file \(path) is corrupt (\(reason)); restore it from a backup, or delete the state/ folder to forget the seen keys (repeats within the window may then pass once)")
    }
}
