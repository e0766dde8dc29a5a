/// Writes each batch as JSON-lines files named by batch id (`<batch>-0.jsonl`, in
/// `field=value/` sub-folders with `partition_by`), then a manifest
/// `_manifest/<batch>.json` listing them. Files are written atomically and a re-run of a
/// batch replaces its own files, so the output is exactly-once once the batch commits.
final class FileSink: BatchSink {
    let name = "files"
    let path: String
    let schema: Schema
    let partitionField: Int?
    let writer: JSONLineWriter

    init(path: String, schema: Schema, partitionBy: String?) throws(FileIOError) {
        self.path = path
        self.schema = schema
        self.partitionField = partitionBy.flatMap { name in schema.fields.firstIndex { $0.name == name } }
        self.writer = JSONLineWriter(schema: schema)
        try AtomicFileWriter.makeFolder(path)
        try AtomicFileWriter.makeFolder(path + "/_manifest")
    }

    func write(batch: Int64, rows: RowBuffer) throws -> Int {
        var groups: [String: [Int]] = [:]
        if let partitionField {
            for index in 0..<rows.count {
                groups[Self.folderName(schema.fields[partitionField].name, rows[index][rows[index].startIndex + partitionField]), default: []].append(index)
            }
        } else if rows.count > 0 {
            groups[""] = Array(0..<rows.count)
        }
        var manifest: [UInt8] = Array("{\"batch\":\(batch),\"files\":[".utf8)
        for (number, (folder, indices)) in groups.sorted(by: { $0.key < $1.key }).enumerated() {
            let relative = folder.isEmpty ? "\(batch)-0.jsonl" : "\(folder)/\(batch)-0.jsonl"
            if !folder.isEmpty { try AtomicFileWriter.makeFolder("\(path)/\(folder)") }
            let file = try AtomicFileWriter(path: "\(path)/\(relative)")
            for index in indices {
                try file.append { writer.append(rows[index], to: &$0) }
            }
            try file.commit()
            if number > 0 { manifest.append(UInt8(ascii: ",")) }
            manifest.append(contentsOf: Array("{\"path\":".utf8))
            JSONLineWriter.appendQuoted(relative, to: &manifest)
            manifest.append(contentsOf: Array(",\"records\":\(indices.count),\"bytes\":\(file.bytesWritten)}".utf8))
        }
        manifest.append(contentsOf: Array("]}\n".utf8))
        try AtomicFile.write(manifest, to: "\(path)/_manifest/\(batch).json", mode: 0o640)
        return rows.count
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
