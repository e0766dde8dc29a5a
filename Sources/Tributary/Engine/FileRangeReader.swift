import Logging

/// Reads one planned file range into a batch: lines (or the elements of a JSON-array file)
/// decoded into rows, bad ones into dead letters, and how far the range went.
struct FileRangeReader {
    let config: TributaryConfig
    let decoder: SourceDecoder
    let logger: Logger

    func read(
        _ range: PlannedFileRange, counts: inout SourceCounts,
        into batch: inout BatchRows, deadLetters: inout [DeadLetter]
    ) -> BatchCommit.FileResult {
        let gzip = range.path.hasSuffix(".gz")
        var result = BatchCommit.FileResult(path: range.path, size: range.size, mtimeNanos: range.mtimeNanos, start: range.start,
                                            endOffset: range.start, linesTaken: range.firstLine - 1, complete: true)
        let fileIndex = Int32(batch.files.count)
        batch.files.append(range.path)
        let limit = config.maxRecordBytes
        func handle(_ line: LineReader.Line) throws {
            counts.read += 1
            var origin: DeadLetter.Origin { .file(path: range.path, line: line.number, byteOffset: line.offset) }
            switch line.kind {
            case .oversize(let length):
                counts.deadLettered += 1
                deadLetters.append(DeadLetter(raw: Array(line.bytes), reason: "record of \(length) bytes is longer than max_record_bytes (\(limit)); only its first \(line.bytes.count) bytes are kept here", stage: .decode, origin: origin, length: length))
            case .damaged(let reason):
                counts.deadLettered += 1
                deadLetters.append(DeadLetter(raw: Array(line.bytes), reason: "unreadable rest of the file: \(reason)", stage: .decode, origin: origin))
            case .complete:
                if let failure = decoder.decode(line.bytes, metadata: { Self.metadata($0, range.path, line) }, into: &batch.rows) {
                    counts.deadLettered += 1
                    deadLetters.append(DeadLetter(raw: Array(line.bytes), reason: failure.reason, stage: DeadLetter.Stage(failure.stage), origin: origin))
                } else {
                    batch.origins.append(.file(file: fileIndex, line: line.number, byteOffset: line.offset, length: Int32(clamping: line.bytes.count)))
                }
            }
        }
        var readEnd = range.end
        var shrunkTo: Int64?
        switch FileRangeCheck.compare(range, folder: config.files?.path) {
        case .asPlanned:
            break
        case .escapes(let target):
            // Swapped for a symlink out of the folder after listing: never read it.
            counts.read += 1
            counts.deadLettered += 1
            deadLetters.append(DeadLetter(raw: [], reason: "refused: the file became a symlink to \(target), outside the input folder, between listing and reading", stage: .decode, origin: .file(path: range.path, line: range.firstLine, byteOffset: range.start)))
            logger.error("refused \(range.path): it now points outside the input folder (\(target)); recorded as a dead letter and moving on")
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
        do {
            // A file holding one JSON array is read whole in its first range, element by element.
            if range.start == 0 && JSONArrayReader.isArrayFile(path: range.path, gzip: gzip) {
                let summary = try JSONArrayReader(path: range.path, gzip: gzip, maxRecordBytes: limit).forEachElement(handle)
                result.endOffset = summary.endOffset
                result.linesTaken = summary.lines
                return result
            }
            let reader = LineReader(path: range.path, gzip: gzip, start: range.start, end: readEnd, firstLine: range.firstLine, maxRecordBytes: limit)
            let summary = try reader.forEachLine(handle)
            result.endOffset = max(range.start, summary.endOffset)
            result.linesTaken = range.firstLine - 1 + summary.lines
            // A split range is complete when it reached the end of the file.
            if let end = range.end { result.complete = summary.endOffset < end || (!gzip && summary.endOffset >= range.size) }
            if let shrunkTo, let plannedEnd = readEnd {
                // The planned bytes are gone: say so where the records would have been, so
                // the gap is counted and visible rather than silent.
                counts.read += 1
                counts.deadLettered += 1
                deadLetters.append(DeadLetter(raw: [], reason: "the file shrank to \(shrunkTo) bytes between listing and reading: its planned bytes \(max(shrunkTo, range.start))..<\(plannedEnd) were gone; restore them into a new file to add those records", stage: .decode, origin: .file(path: range.path, line: result.linesTaken + 1, byteOffset: result.endOffset)))
                logger.error("\(range.path) shrank from \(range.size) to \(shrunkTo) bytes between listing and reading; the missing bytes are recorded as a dead letter")
                result.endOffset = max(result.endOffset, plannedEnd)
                result.complete = true
            }
        } catch {
            // The file vanished or cannot be read: record that as a dead letter rather than
            // retrying a batch that can never succeed.
            counts.read += 1
            counts.deadLettered += 1
            deadLetters.append(DeadLetter(raw: [], reason: "cannot read the file: \(error)", stage: .decode, origin: .file(path: range.path, line: range.firstLine, byteOffset: range.start)))
            logger.error("cannot read \(range.path): \(error); recorded as a dead letter and moving on")
        }
        return result
    }

    static func metadata(_ kind: RecordMetadata, _ path: String, _ line: LineReader.Line) -> FieldValue {
        switch kind {
        case .origin: return .string("file")
        case .file: return .string(path)
        case .line: return .int(line.number)
        case .byteOffset: return .int(line.offset)
        case .topic, .partition, .offset, .key, .timestamp: return .null
        }
    }
}

