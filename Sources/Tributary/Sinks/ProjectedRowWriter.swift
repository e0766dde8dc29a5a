/// Writes rows as JSON objects: the output columns (names and row positions) in order, the
/// `"name":` prefixes prepared once.
struct ProjectedRowWriter: Sendable {
    /// The output columns: name and position in the (wider) row.
    let columns: [(name: String, index: Int)]
    private let prefixes: [[UInt8]]

    init(columns: [(name: String, index: Int)]) {
        self.columns = columns
        prefixes = columns.enumerated().map { position, column in
            var bytes: [UInt8] = position == 0 ? [UInt8(ascii: "{")] : [UInt8(ascii: ",")]
            JSONLineWriter.appendQuoted(column.name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            return bytes
        }
    }

    /// Appends `row` as one JSON object and a newline.
    func append(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
        appendObject(row, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends `row` as one JSON object, without a newline.
    func appendObject(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
        if columns.isEmpty {
            buffer.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            return
        }
        let base = row.startIndex
        for position in 0..<columns.count {
            buffer.append(contentsOf: prefixes[position])
            JSONLineWriter.appendValue(row[base + columns[position].index], to: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }
}
