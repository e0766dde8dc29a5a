import Dispatch
import Synchronization

/// Reads a batch's file ranges on every core: each range is decoded into rows of its own,
/// then the parts are joined in plan order, so the batch's rows, dead letters and results
/// are the same as a one-by-one read, in the same order.
struct ParallelFileReading: Sendable {
    let reader: FileRangeReader

    /// One range's share of the batch.
    struct Part: Sendable {
        var rows: BatchRows
        var counts = SourceCounts()
        var deadLetters: [DeadLetter] = []
        var result: BatchCommit.FileResult?
    }

    func read(_ ranges: [PlannedFileRange], width: Int, heartbeat: @escaping @Sendable () -> Void) -> [Part] {
        let parts = Mutex([Part?](repeating: nil, count: ranges.count))
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            heartbeat()
            var part = Part(rows: BatchRows(width: width))
            part.result = reader.read(ranges[index], counts: &part.counts, into: &part.rows, deadLetters: &part.deadLetters)
            parts.withLock { $0[index] = part }
        }
        return parts.withLock { $0.map { $0! } }
    }
}

extension BatchRows {
    /// Appends the rows of a part read on its own (file rows only), renumbering its files.
    mutating func append(part other: BatchRows) {
        let base = Int32(files.count)
        files += other.files
        rows.append(contentsOf: other.rows)
        origins.reserveCapacity(origins.count + other.origins.count)
        for origin in other.origins {
            if case let .file(file, line, byteOffset, length) = origin {
                origins.append(.file(file: file + base, line: line, byteOffset: byteOffset, length: length))
            } else {
                origins.append(origin)
            }
        }
    }
}
