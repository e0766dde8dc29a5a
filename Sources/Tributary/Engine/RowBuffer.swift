/// The records of a batch in the common schema: rows of `width` values stored back to back,
/// so a batch costs one growing array rather than an array per record.
public struct RowBuffer: Sendable {
    public let width: Int
    public private(set) var values: [FieldValue] = []

    public init(width: Int) { self.width = width }

    /// Rows with room for `rows` rows, in the memory of an earlier chunk's rows if there is a
    /// spare (see `SpareBuffers`); `recycle()` gives it back.
    init(width: Int, reservingSpare rows: Int) {
        self.width = width
        values = SpareBuffers.rowValues.take(capacity: rows * width)
    }

    /// Gives the storage to a later `init(width:reservingSpare:)`; the buffer is empty afterwards.
    mutating func recycle() {
        SpareBuffers.rowValues.recycle(&values)
    }

    public var count: Int { width == 0 ? 0 : values.count / width }

    /// The values of row `index`.
    public subscript(index: Int) -> ArraySlice<FieldValue> {
        values[(index * width)..<((index + 1) * width)]
    }

    /// Makes room for `rows` rows.
    public mutating func reserveCapacity(_ rows: Int) {
        values.reserveCapacity(rows * width)
    }

    /// Gives the decoder direct access to the storage (it appends exactly `width` values per row).
    public mutating func withStorage<Result>(_ body: (inout [FieldValue]) throws -> Result) rethrows -> Result {
        try body(&values)
    }

    /// Replaces value `field` of row `row`.
    public mutating func set(_ value: FieldValue, row: Int, field: Int) {
        values[row * width + field] = value
    }
}
