import Glibc

/// Prints each batch as JSON lines on stdout, for trying pipelines out. Not idempotent: a
/// batch run again after a crash is printed again.
final class ConsoleSink: BatchSink {
    let name: String
    let writer: ProjectedRowWriter

    init(name: String, writer: ProjectedRowWriter) {
        self.name = name
        self.writer = writer
    }

    func prepare(rows: RowBuffer, selection: [Int], origin: String, context: ExpressionContext) throws -> SinkPart {
        .lines([SinkPart.Group(folder: "", bytes: writer.lines(selection, of: rows), records: selection.count)])
    }

    func open(batch: Int64) throws -> any SinkBatch { Printer() }

    /// Writes each part as it comes.
    private final class Printer: SinkBatch {
        func write(_ part: SinkPart) throws {
            guard case .lines(let groups) = part else { return }
            for group in groups { Self.print(group.bytes) }
        }

        func finish() throws {}

        private static func print(_ bytes: OutputBlock) {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 { if errno == EINTR { continue } else { break } }
                    offset += written
                }
            }
        }
    }
}
