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

    func write(batch: Int64, rows: RowBuffer, selection: [Int], origins: [RowOrigin]) throws {
        var buffer: [UInt8] = []
        for row in selection {
            writer.append(rows[row], to: &buffer)
            if buffer.count >= 1 << 16 { flush(&buffer) }
        }
        flush(&buffer)
    }

    private func flush(_ buffer: inout [UInt8]) {
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { break } }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
