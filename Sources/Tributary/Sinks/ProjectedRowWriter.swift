/// Writes rows as JSON objects: the output columns (names and row positions) in order, the
/// `"name":` prefixes prepared once. The file, console and Kafka sinks write their rows with it.
public struct ProjectedRowWriter: Sendable {
    /// The output columns: name and position in the (wider) row.
    public let columns: [(name: String, index: Int)]
    private let prefixes: [[UInt8]]

    /// Creates a writer for `columns`, written in this order under these names; values are
    /// taken from each column's `index` in the row.
    public init(columns: [(name: String, index: Int)]) {
        self.columns = columns
        prefixes = columns.enumerated().map { position, column in
            var bytes: [UInt8] = position == 0 ? [UInt8(ascii: "{")] : [UInt8(ascii: ",")]
            JSONLineWriter.appendQuoted(column.name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            return bytes
        }
    }

    /// Appends `row` as one JSON object and a newline; values are written as by
    /// `JSONLineWriter.appendValue(_:to:)`.
    public func append(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
        appendObject(row, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends `row` as one JSON object, without a newline.
    public func appendObject(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
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
