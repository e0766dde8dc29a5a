/// An output. Each sink writes a whole batch at once and must be idempotent per batch id: a
/// batch run again after a crash replaces (or skips) what its first run wrote.
protocol BatchSink: AnyObject {
    /// A short name for logs and progress reports.
    var name: String { get }
    /// Writes `rows` (schema order) as batch `batch`; returns the number of rows written.
    func write(batch: Int64, rows: RowBuffer) throws -> Int
}
