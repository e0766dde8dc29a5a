/// One record of the file source's log: bytes `rangeStart..<rangeEnd` of the file at `path` (as it was when it
/// had `size` bytes and modification time `mtimeNanos`) were taken into `batch`.
public struct TakenFile: Codable, Hashable, Sendable {
    /// The file's path as listed by the source.
    public var path: String
    /// The file's size in bytes when it was taken.
    public var size: Int64
    /// The file's modification time, nanoseconds since 1970.
    public var mtimeNanos: Int64
    /// The batch that took the range.
    public var batch: Int64
    /// First byte taken.
    public var rangeStart: Int64
    /// One past the last byte taken.
    public var rangeEnd: Int64
    /// Whether the whole file has now been taken.
    public var complete: Bool
    /// Lines taken from the file so far, this range included (numbers the next range's lines).
    public var lines: Int64

    /// Creates a record.
    public init(
        path: String, size: Int64, mtimeNanos: Int64, batch: Int64,
        rangeStart: Int64, rangeEnd: Int64, complete: Bool, lines: Int64 = 0
    ) {
        self.path = path
        self.size = size
        self.mtimeNanos = mtimeNanos
        self.batch = batch
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
        self.complete = complete
        self.lines = lines
    }

    /// What makes this record impossible, or nil if it is consistent.
    var problem: String? {
        if path.isEmpty { return "the path is empty" }
        if size < 0 || batch < 0 || rangeStart < 0 { return "size, batch and rangeStart must not be negative" }
        if rangeEnd < rangeStart { return "rangeEnd \(rangeEnd) is before rangeStart \(rangeStart)" }
        // Ranges of .gz files count uncompressed bytes, which may exceed the size on disk.
        if rangeEnd > size && !path.hasSuffix(".gz") { return "rangeEnd \(rangeEnd) is beyond the size \(size)" }
        if lines < 0 { return "lines must not be negative" }
        return nil
    }
}
