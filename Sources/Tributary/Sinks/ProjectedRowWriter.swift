/// Writes rows as JSON objects: the output columns (names and row positions) in order, the
/// `"name":` prefixes prepared once.
public struct ProjectedRowWriter: Sendable {
    /// The output columns: name and position in the (wider) row.
    public let columns: [(name: String, index: Int)]
    /// Every column's `{"name":` or `,"name":`, back to back; `prefixRanges[i]` is column i's.
    private let prefixBytes: [UInt8]
    private let prefixRanges: [Range<Int>]
    private let indexes: [Int]

    /// Prepares the `"name":` prefixes of `columns`, in order.
    public init(columns: [(name: String, index: Int)]) {
        self.columns = columns
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for (position, column) in columns.enumerated() {
            let start = bytes.count
            bytes.append(position == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
            JSONLineWriter.appendQuoted(column.name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            ranges.append(start..<bytes.count)
        }
        prefixBytes = bytes
        prefixRanges = ranges
        indexes = columns.map(\.index)
    }

    /// Appends `row` as one JSON object and a newline.
    public func append(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
        appendObject(row, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends `row` as one JSON object, without a newline.
    public func appendObject(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
        row.withUnsafeBufferPointer { values in
            withLayout { layout in layout.appendObject(values, base: 0, to: &buffer) }
        }
    }

    /// The rows of `selection` (positions in `rows`), in order, as JSON lines: what the file
    /// and console sinks write.
    public func lines(_ selection: [Int], of rows: RowBuffer) -> OutputBlock {
        var buffer = OutputBytes(capacity: selection.count * estimatedObjectSize)
        // The layout's buffers are borrowed once for all the rows: borrowing them per row
        // retained and released three arrays per record, from every core at once.
        rows.values.withUnsafeBufferPointer { values in
            withLayout { layout in
                for row in selection {
                    layout.appendObject(values, base: row * rows.width, to: &buffer)
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
        }
        return buffer.block()
    }

    /// A guess at the bytes of one row's object: the names and about 16 bytes per value.
    var estimatedObjectSize: Int { prefixBytes.count + 16 * columns.count }

    private func withLayout<Result>(_ body: (Layout) -> Result) -> Result {
        prefixBytes.withUnsafeBufferPointer { prefixes in
            indexes.withUnsafeBufferPointer { indexes in
                prefixRanges.withUnsafeBufferPointer { ranges in
                    body(Layout(prefixes: prefixes, ranges: ranges, indexes: indexes))
                }
            }
        }
    }

    /// The writer's columns as borrowed buffers.
    private struct Layout {
        let prefixes: UnsafeBufferPointer<UInt8>
        let ranges: UnsafeBufferPointer<Range<Int>>
        let indexes: UnsafeBufferPointer<Int>

        func appendObject<Output: JSONOutput & ~Copyable>(_ values: UnsafeBufferPointer<FieldValue>, base: Int, to buffer: inout Output) {
            if indexes.isEmpty {
                buffer.append(UInt8(ascii: "{"))
                buffer.append(UInt8(ascii: "}"))
                return
            }
            for position in 0..<indexes.count {
                buffer.append(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: prefixes[ranges[position]])))
                JSONLineWriter.writeValue(values[base + indexes[position]], to: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }
}
