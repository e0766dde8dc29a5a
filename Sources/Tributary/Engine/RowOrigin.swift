/// Where a row of a batch came from, kept beside the row (a few words, no allocation) so that
/// a record failing after decoding can be dead-lettered with its original bytes and origin.
public enum RowOrigin: Sendable, Equatable {
    /// `partition` indexes the batch's partition table.
    case kafka(partition: Int32, offset: Int64)
    /// `file` indexes the batch's file table; `length` is the line's length in bytes.
    case file(file: Int32, line: Int64, byteOffset: Int64, length: Int32)
    /// A record replayed from the dead letters; `entry` indexes the replay's entry table.
    case replay(entry: Int32)
}
