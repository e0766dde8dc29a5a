import Logging

/// Reads one planned file range into chunks: its lines (or the elements of a JSON-array
/// file) with their line numbers and byte offsets, lines the reader rejects (oversize, the
/// damaged tail of a gzip file) as dead letters, and how far the range went.
struct FileChunkReader {
    let maxRecordBytes: Int
    let logger: Logger

    /// An error of the chunk's consumer, told apart from an error reading the file.
    private struct Handoff: Error {
        let error: any Error
    }

    /// Reads `range`, handing each chunk to `emit` as it fills and the last one at the end.
    func read(_ range: PlannedFileRange, emit: (RecordChunk) throws -> Void) throws -> BatchCommit.FileResult {
        let gzip = range.path.hasSuffix(".gz")
        var result = BatchCommit.FileResult(path: range.path, size: range.size, mtimeNanos: range.mtimeNanos, start: range.start,
                                            endOffset: range.start, linesTaken: range.firstLine - 1, complete: true)
        let limit = maxRecordBytes
        var chunk = RecordChunk(source: .file(path: range.path))
        func handle(_ line: LineReader.Line) throws {
            switch line.kind {
            case .complete:
                chunk.append(line.bytes, position: line.number, extra: line.offset)
            case .oversize(let length):
                chunk.read += 1
                chunk.letters.append(DeadLetter(raw: Array(line.bytes), reason: "record of \(length) bytes is longer than max_record_bytes (\(limit)); only its first \(line.bytes.count) bytes are kept here", stage: .decode, origin: .file(path: range.path, line: line.number, byteOffset: line.offset), length: length))
            case .damaged(let reason):
                chunk.read += 1
                chunk.letters.append(DeadLetter(raw: Array(line.bytes), reason: "unreadable rest of the file: \(reason)", stage: .decode, origin: .file(path: range.path, line: line.number, byteOffset: line.offset)))
            }
            if chunk.isFull {
                do { try emit(chunk) } catch { throw Handoff(error: error) }
                chunk = RecordChunk(source: .file(path: range.path))
            }
        }
        do {
            // A file holding one JSON array is read whole in its first range, element by element.
            if range.start == 0 && JSONArrayReader.isArrayFile(path: range.path, gzip: gzip) {
                let summary = try JSONArrayReader(path: range.path, gzip: gzip, maxRecordBytes: limit).forEachElement(handle)
                result.endOffset = summary.endOffset
                result.linesTaken = summary.lines
            } else {
                let reader = LineReader(path: range.path, gzip: gzip, start: range.start, end: range.end, firstLine: range.firstLine, maxRecordBytes: limit)
                let summary = try reader.forEachLine(handle)
                result.endOffset = max(range.start, summary.endOffset)
                result.linesTaken = range.firstLine - 1 + summary.lines
                // A split range is complete when it reached the end of the file.
                if let end = range.end { result.complete = summary.endOffset < end || (!gzip && summary.endOffset >= range.size) }
            }
        } catch let handoff as Handoff {
            throw handoff.error
        } catch {
            // The file vanished or cannot be read: record that as a dead letter rather than
            // retrying a batch that can never succeed.
            chunk.read += 1
            chunk.letters.append(DeadLetter(raw: [], reason: "cannot read the file: \(error)", stage: .decode, origin: .file(path: range.path, line: range.firstLine, byteOffset: range.start)))
            logger.error("cannot read \(range.path): \(error); recorded as a dead letter and moving on")
        }
        if !chunk.isEmpty { try emit(chunk) }
        return result
    }
}
