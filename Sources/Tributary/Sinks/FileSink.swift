import Glibc

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

    func prepare(rows: RowBuffer, selection: [Int], origin: String, context: ExpressionContext) throws -> SinkPart {
        guard let partition else {
            return .lines(selection.isEmpty ? [] : [SinkPart.Group(folder: "", bytes: writer.lines(selection, of: rows), records: selection.count)])
        }
        var members: [String: [Int]] = [:]
        for row in selection {
            members[Self.folderName(partition.name, rows[row][rows[row].startIndex + partition.index]), default: []].append(row)
        }
        return .lines(members.map { SinkPart.Group(folder: $0.key, bytes: writer.lines($0.value, of: rows), records: $0.value.count) })
    }

    func open(batch: Int64) throws -> any SinkBatch {
        FileSinkBatch(sink: self, batch: batch)
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
        case .text: return folderName(field, value.materialized)
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

/// One batch of a `FileSink`: a temp file per output folder, opened when its first rows come;
/// `finish` makes each durable under its final name, then writes the manifest.
final class FileSinkBatch: SinkBatch {
    let sink: FileSink
    let batch: Int64
    private var files: [String: (file: AtomicFileWriter, records: Int)] = [:]

    init(sink: FileSink, batch: Int64) {
        self.sink = sink
        self.batch = batch
    }

    func write(_ part: SinkPart) throws {
        guard case .lines(let groups) = part else { return }
        for group in groups {
            if files[group.folder] == nil {
                if !group.folder.isEmpty { try AtomicFileWriter.makeFolder("\(sink.path)/\(group.folder)", mode: sink.folderMode) }
                files[group.folder] = (try AtomicFileWriter(path: "\(sink.path)/\(relative(group.folder))", mode: sink.fileMode), 0)
            }
            let file = files[group.folder]!.file
            try group.bytes.withUnsafeBytes { try file.write($0) }
            files[group.folder]!.records += group.records
        }
    }

    func finish() throws {
        var manifest: [UInt8] = Array("{\"batch\":\(batch),\"files\":[".utf8)
        for (number, folder) in files.keys.sorted().enumerated() {
            let (file, records) = files[folder]!
            try file.commit()
            if number > 0 { manifest.append(UInt8(ascii: ",")) }
            manifest.append(contentsOf: Array("{\"path\":".utf8))
            JSONLineWriter.appendQuoted(relative(folder), to: &manifest)
            manifest.append(contentsOf: Array(",\"records\":\(records),\"bytes\":\(file.bytesWritten)}".utf8))
        }
        manifest.append(contentsOf: Array("]}\n".utf8))
        try AtomicFile.write(manifest, to: "\(sink.path)/_manifest/\(batch).json", mode: sink.fileMode)
    }

    private func relative(_ folder: String) -> String {
        folder.isEmpty ? "\(batch)-0.jsonl" : "\(folder)/\(batch)-0.jsonl"
    }
}
