/// An output. Each sink writes a whole batch at once and must be idempotent per batch id: a
/// batch run again after a crash replaces (files) or repeats with the same keys and headers
/// (Kafka) what its first run wrote.
protocol BatchSink: AnyObject {
    /// The sink's name, for logs and progress reports.
    var name: String { get }
    /// Writes the rows of `selection` (positions in `rows`, in order) as batch `batch`.
    /// `origins[row]` says where each row came from.
    func write(batch: Int64, rows: RowBuffer, selection: [Int], origins: [RowOrigin]) throws
}
