import Logging

/// Reads one planned file range into chunks: its lines (or the elements of a JSON-array
/// file) with their line numbers and byte offsets, lines the reader rejects (oversize, the
/// damaged tail of a gzip file) as dead letters, and how far the range went.
struct FileChunkReader {
    let maxRecordBytes: Int
    /// The input folder, to refuse a file swapped for a symlink out of it after listing.
    let folder: String?
    let logger: Logger

    /// An error of the chunk's consumer, told apart from an error reading the file.
    private struct Handoff: Error {
        let error: any Error
    }

    /// Reads `range`, handing each chunk to `emit` as it fills and the last one at the end.
    func read(_ range: PlannedFileRange, emit: (consuming RecordChunk) throws -> Void) throws -> BatchCommit.FileResult {
        let gzip = range.path.hasSuffix(".gz")
        var result = BatchCommit.FileResult(path: range.path, size: range.size, mtimeNanos: range.mtimeNanos, start: range.start,
                                            endOffset: range.start, linesTaken: range.firstLine - 1, complete: true)
        let limit = maxRecordBytes
        var chunk = RecordChunk(source: .file(path: range.path))
        var readEnd = range.end
        var shrunkTo: Int64?
        switch FileRangeCheck.compare(range, folder: folder) {
        case .asPlanned:
            break
        case .escapes(let target):
            // Swapped for a symlink out of the folder after listing: never read it.
            chunk.read += 1
            chunk.letters.append(DeadLetter(raw: [], reason: "refused: the file became a symlink to \(target), outside the input folder, between listing and reading", stage: .decode, origin: .file(path: range.path, line: range.firstLine, byteOffset: range.start)))
            logger.error("refused \(range.path): it now points outside the input folder (\(target)); recorded as a dead letter and moving on")
            try emit(chunk.handOff())
            return result
        case .changed(let size, let mtimeNanos):
            // Read what planning saw (appended bytes belong to no plan, so a re-run after a
            // crash reads the same lines); a shrunk file's missing tail is dead-lettered below.
            if !gzip {
                let plannedEnd = range.end ?? range.size
                readEnd = plannedEnd
                if size < plannedEnd { shrunkTo = size }
            }
            logger.warning("\(range.path) changed between listing and reading (size \(range.size) -> \(size), mtime_ns \(range.mtimeNanos) -> \(mtimeNanos)); reading the planned bytes of what is there now")
        }
        // Called per line: it captures nothing but the chunk, the limit and `emit` (the path
        // comes from the chunk), because a captured `range` was copied, retained and released
        // per line.
        func handle(_ line: LineReader.Line) throws {
            switch line.kind {
            case .complete:
                chunk.append(line.bytes, position: line.number, extra: line.offset)
            case .oversize(let length):
                chunk.read += 1
                chunk.letters.append(DeadLetter(raw: Array(line.bytes), reason: "record of \(length) bytes is longer than max_record_bytes (\(limit)); only its first \(line.bytes.count) bytes are kept here", stage: .decode, origin: chunk.fileOrigin(line: line.number, byteOffset: line.offset), length: length))
            case .damaged(let reason):
                chunk.read += 1
                chunk.letters.append(DeadLetter(raw: Array(line.bytes), reason: "unreadable rest of the file: \(reason)", stage: .decode, origin: chunk.fileOrigin(line: line.number, byteOffset: line.offset)))
            }
            if chunk.isFull {
                do { try emit(chunk.handOff()) } catch { throw Handoff(error: error) }
            }
        }
        do {
            // A file holding one JSON array is read whole in its first range, element by element.
            if range.start == 0 && JSONArrayReader.isArrayFile(path: range.path, gzip: gzip) {
                let summary = try JSONArrayReader(path: range.path, gzip: gzip, maxRecordBytes: limit).forEachElement(handle)
                result.endOffset = summary.endOffset
                result.linesTaken = summary.lines
            } else {
                let reader = LineReader(path: range.path, gzip: gzip, start: range.start, end: readEnd, firstLine: range.firstLine, maxRecordBytes: limit)
                let summary = try reader.forEachLine(handle)
                result.endOffset = max(range.start, summary.endOffset)
                result.linesTaken = range.firstLine - 1 + summary.lines
                // A split range is complete when it reached the end of the file.
                if let end = range.end { result.complete = summary.endOffset < end || (!gzip && summary.endOffset >= range.size) }
                if let shrunkTo, let plannedEnd = readEnd {
                    // The planned bytes are gone: say so where the records would have been, so
                    // the gap is counted and visible rather than silent.
                    chunk.read += 1
                    chunk.letters.append(DeadLetter(raw: [], reason: "the file shrank to \(shrunkTo) bytes between listing and reading: its planned bytes \(max(shrunkTo, range.start))..<\(plannedEnd) were gone; restore them into a new file to add those records", stage: .decode, origin: .file(path: range.path, line: result.linesTaken + 1, byteOffset: result.endOffset)))
                    logger.error("\(range.path) shrank from \(range.size) to \(shrunkTo) bytes between listing and reading; the missing bytes are recorded as a dead letter")
                    result.endOffset = max(result.endOffset, plannedEnd)
                    result.complete = true
                }
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
        if !chunk.isEmpty { try emit(chunk.handOff()) }
        return result
    }
}
