import Dispatch
import Foundation
import Synchronization

/// Writes each batch as JSON-lines files named by batch id (`<batch>-0.jsonl`, in
/// `field=value/` sub-folders with `partition_by`), then a manifest
/// `_manifest/<batch>.json` listing them. Files are written atomically and a re-run of a
/// batch replaces its own files, so the output is exactly-once once the batch commits.
final class FileSink: BatchSink {
    let name: String
    let path: String
    let writer: ProjectedRowWriter
    /// The `partition_by` field's name and row position.
    let partition: (name: String, index: Int)?
    /// `file_mode` of data files and manifests, and the mode of folders made for them.
    let fileMode: mode_t
    let folderMode: mode_t

    init(
        name: String, path: String, writer: ProjectedRowWriter, partition: (name: String, index: Int)?,
        fileMode: mode_t = 0o640, folderMode: mode_t = 0o750
    ) throws(FileIOError) {
        self.name = name
        self.path = path
        self.writer = writer
        self.partition = partition
        self.fileMode = fileMode
        self.folderMode = folderMode
        try AtomicFileWriter.makeFolder(path, mode: folderMode)
        try AtomicFileWriter.makeFolder(path + "/_manifest", mode: folderMode)
    }

    func write(batch: Int64, rows: RowBuffer, selection: [Int], origins: [RowOrigin]) throws {
        var groups: [String: [Int]] = [:]
        if let partition {
            for row in selection {
                groups[Self.folderName(partition.name, rows[row][rows[row].startIndex + partition.index]), default: []].append(row)
            }
        } else if !selection.isEmpty {
            groups[""] = selection
        }
        var manifest: [UInt8] = Array("{\"batch\":\(batch),\"files\":[".utf8)
        for (number, (folder, members)) in groups.sorted(by: { $0.key < $1.key }).enumerated() {
            let relative = folder.isEmpty ? "\(batch)-0.jsonl" : "\(folder)/\(batch)-0.jsonl"
            if !folder.isEmpty { try AtomicFileWriter.makeFolder("\(path)/\(folder)", mode: folderMode) }
            let file = try AtomicFileWriter(path: "\(path)/\(relative)", mode: fileMode)
            try Self.serialize(members, of: rows, with: writer) { try file.write($0) }
            try file.commit()
            if number > 0 { manifest.append(UInt8(ascii: ",")) }
            manifest.append(contentsOf: Array("{\"path\":".utf8))
            JSONLineWriter.appendQuoted(relative, to: &manifest)
            manifest.append(contentsOf: Array(",\"records\":\(members.count),\"bytes\":\(file.bytesWritten)}".utf8))
        }
        manifest.append(contentsOf: Array("]}\n".utf8))
        try AtomicFile.write(manifest, to: "\(path)/_manifest/\(batch).json", mode: fileMode)
    }

    /// Turns `members` into JSON lines on every core, a window of rows at a time (so memory
    /// stays bounded), handing the bytes to `write` in row order.
    static func serialize(
        _ members: [Int], of rows: RowBuffer, with writer: ProjectedRowWriter,
        chunk: Int = 8_192, write: ([UInt8]) throws -> Void
    ) throws {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < members.count {
            let end = min(members.count, start + chunk * cores)
            let pieces = Swift.stride(from: start, to: end, by: chunk).map { $0..<min(end, $0 + chunk) }
            let buffers = Mutex([[UInt8]](repeating: [], count: pieces.count))
            DispatchQueue.concurrentPerform(iterations: pieces.count) { index in
                var buffer: [UInt8] = []
                buffer.reserveCapacity(pieces[index].count * 160)
                for position in pieces[index] { writer.append(rows[members[position]], to: &buffer) }
                buffers.withLock { $0[index] = buffer }
            }
            for buffer in buffers.withLock({ $0 }) { try write(buffer) }
            start = end
        }
    }

    /// `field=value`, with the value made safe as one folder name.
    static func folderName(_ field: String, _ value: FieldValue) -> String {
        let text: String
        switch value {
        case .null: text = "__null__"
        case .string(let string): text = string
        case .int(let number): text = String(number)
        case .double(let number): text = String(number)
        case .bool(let flag): text = String(flag)
        case .timestamp(let micros): text = String(TimestampFormat.format(micros).prefix(10))
        case .json(let json): text = json
        }
        var safe = ""
        for scalar in text.unicodeScalars.prefix(200) {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.:@+".unicodeScalars.contains(scalar) {
                safe.unicodeScalars.append(scalar)
            } else {
                safe += "%" + String(scalar.value, radix: 16, uppercase: true)
            }
        }
        if safe.isEmpty || safe == "." || safe == ".." { safe = "%" + safe }
        return "\(field)=\(safe)"
    }
}
