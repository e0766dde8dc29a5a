import Glibc

/// Streams the lines of one byte range of a file (plain or gzip) without loading the file.
///
/// A range `[start, end)` holds exactly the lines whose first byte lies in it, so that a file
/// split into consecutive ranges yields every line exactly once, and re-reading a range
/// yields the same lines. A line ends at "\n" (a "\r" before it is dropped); the last line of
/// a file needs no newline. Blank lines (empty, or only spaces and tabs) are counted but not
/// delivered. A UTF-8 byte-order mark at the start of the file is not part of the first line.
struct LineReader {
    /// One delivered line.
    struct Line {
        /// The line's bytes, without its line ending. Valid only during the callback.
        var bytes: UnsafeRawBufferPointer
        /// The byte offset of the line's first byte in the (uncompressed) file.
        var offset: Int64
        /// The line's number, counted from 1 at the start of the file when the range starts
        /// at 0, else relative to `firstLine`.
        var number: Int64
        var kind: Kind
    }

    enum Kind: Equatable {
        case complete
        /// Longer than the record limit: `bytes` holds its first bytes only.
        case oversize(length: Int64)
        /// The unreadable tail of a damaged gzip file (what decompressed before the damage).
        case damaged(reason: String)
    }

    /// What a read went through.
    struct Summary: Equatable {
        /// Lines delivered or blank, in the range.
        var lines: Int64 = 0
        /// One past the last byte of the last line in the range (its line ending included).
        var endOffset: Int64 = 0
    }

    let path: String
    let gzip: Bool
    let start: Int64
    /// nil: to the end of the file.
    let end: Int64?
    let firstLine: Int64
    let maxRecordBytes: Int
    var chunkSize = 1 << 20
    /// How many bytes of an oversize line are kept to show in its dead letter.
    var oversizePrefix = 256

    init(path: String, gzip: Bool, start: Int64 = 0, end: Int64? = nil, firstLine: Int64 = 1, maxRecordBytes: Int) {
        self.path = path
        self.gzip = gzip
        self.start = start
        self.end = end
        self.firstLine = firstLine
        self.maxRecordBytes = maxRecordBytes
    }

    /// Calls `body` for each non-blank line of the range, in order.
    func forEachLine(_ body: (Line) throws -> Void) throws -> Summary {
        let source = try ByteSource(path: path, gzip: gzip)
        var scanner = LineScanner(reader: self)
        // The range's first line starts at `start` only if the byte before it is a newline.
        var position: Int64 = 0
        if start > 0 {
            if gzip {
                position = 0
            } else {
                try source.seek(to: start - 1)
                position = start - 1
            }
            scanner.skipUntil = start - 1
        }
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        do {
            while true {
                let count = try source.read(into: chunk, capacity: chunkSize)
                if count == 0 { break }
                let done = try scanner.consume(UnsafeRawBufferPointer(start: chunk, count: count), at: position, body)
                position += Int64(count)
                if done { return scanner.summary }
            }
        } catch ByteSource.Failure.corruptGzip(let reason) {
            try scanner.finishDamaged(reason: reason, at: position, body)
            return scanner.summary
        }
        try scanner.finish(at: position, body)
        return scanner.summary
    }
}

/// The line-splitting state of one `LineReader.forEachLine` call.
private struct LineScanner {
    let reader: LineReader
    var summary = LineReader.Summary()
    /// Bytes before this offset belong to the previous range's last line (or precede the range).
    var skipUntil: Int64 = -1
    /// True while skipping the rest of a line that started before the range.
    var skippingPartial = false
    /// The current line's bytes when it spans chunks (up to the record limit).
    var pending: [UInt8] = []
    var pendingStart: Int64 = -1
    var pendingLength: Int64 = 0
    /// The current line's last byte so far (kept even when `pending` is full).
    var pendingLastByte: UInt8 = 0

    init(reader: LineReader) {
        self.reader = reader
        summary.endOffset = reader.start
        if reader.start > 0 { skippingPartial = false }
    }

    /// Consumes one chunk starting at stream offset `base`; returns true when the range is done.
    mutating func consume(_ chunk: UnsafeRawBufferPointer, at base: Int64, _ body: (LineReader.Line) throws -> Void) throws -> Bool {
        var index = 0
        // Skip everything before the byte preceding the range start (gzip reads from 0).
        if skipUntil >= 0 {
            if base + Int64(chunk.count) <= skipUntil { return false }
            index = Int(max(0, skipUntil - base))
            // `index` now points at the byte just before `start`.
            let isBoundary = chunk[index] == UInt8(ascii: "\n")
            skipUntil = -1
            index += 1
            skippingPartial = !isBoundary
        }
        while index < chunk.count {
            if skippingPartial {
                guard let newline = findNewline(chunk, from: index) else { return false }
                skippingPartial = false
                index = newline + 1
                summary.endOffset = base + Int64(index)
                continue
            }
            let lineStart = base + Int64(index)
            if pendingStart < 0 {
                if let end = reader.end, lineStart >= end { return true }
                pendingStart = lineStart
            }
            guard let newline = findNewline(chunk, from: index) else {
                append(UnsafeRawBufferPointer(rebasing: chunk[index...]))
                return false
            }
            if pending.isEmpty && pendingLength == 0 {
                let line = UnsafeRawBufferPointer(rebasing: chunk[index..<newline])
                try deliver(line, length: Int64(newline - index), endsWithCR: line.last == UInt8(ascii: "\r"), body)
            } else {
                append(UnsafeRawBufferPointer(rebasing: chunk[index..<newline]))
                try deliverPending(body)
            }
            index = newline + 1
            summary.endOffset = base + Int64(index)
        }
        return false
    }

    /// End of stream: a last line without a newline is still a line.
    mutating func finish(at position: Int64, _ body: (LineReader.Line) throws -> Void) throws {
        if pendingStart >= 0 && pendingLength > 0 {
            try deliverPending(body)
            summary.endOffset = position
        }
    }

    /// A damaged gzip stream: deliver the partial tail as damaged, so it is dead-lettered
    /// instead of lost or half-parsed.
    mutating func finishDamaged(reason: String, at position: Int64, _ body: (LineReader.Line) throws -> Void) throws {
        // The tail belongs to the range holding its first byte: not to one still before its
        // start or skipping a line begun earlier, nor to one that ends at or before it.
        let belongsHere = skipUntil < 0 && !skippingPartial && (pendingStart >= 0 || reader.end.map { position < $0 } ?? true)
        guard belongsHere else { return }
        let prefix = Array(pending.prefix(reader.oversizePrefix))
        let start = pendingStart >= 0 ? pendingStart : position
        try prefix.withUnsafeBytes { bytes in
            try body(LineReader.Line(bytes: bytes, offset: start, number: reader.firstLine + summary.lines, kind: .damaged(reason: reason)))
        }
        summary.lines += 1
        summary.endOffset = position
        pending.removeAll(keepingCapacity: true)
        pendingStart = -1
        pendingLength = 0
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        pendingLength += Int64(bytes.count)
        if let last = bytes.last { pendingLastByte = last }
        let room = max(0, reader.maxRecordBytes + 1 - pending.count)
        if room > 0 { pending.append(contentsOf: bytes.prefix(room)) }
    }

    private mutating func deliverPending(_ body: (LineReader.Line) throws -> Void) throws {
        let length = pendingLength
        let endsWithCR = length > 0 && pendingLastByte == UInt8(ascii: "\r")
        try pending.withUnsafeBytes { try deliver($0, length: length, endsWithCR: endsWithCR, body) }
        pending.removeAll(keepingCapacity: pending.count <= 1 << 20)
        pendingLength = 0
    }

    /// `raw` holds the line's first bytes (all of them unless it is oversize); `length` is
    /// the line's full length, whose last byte is a CR when `endsWithCR`.
    private mutating func deliver(_ raw: UnsafeRawBufferPointer, length: Int64, endsWithCR: Bool, _ body: (LineReader.Line) throws -> Void) throws {
        let start = pendingStart
        pendingStart = -1
        summary.lines += 1
        var bytes = raw
        var fullLength = length
        if fullLength > 0, endsWithCR {
            fullLength -= 1
            if Int64(bytes.count) > fullLength { bytes = UnsafeRawBufferPointer(rebasing: bytes.prefix(Int(fullLength))) }
        }
        // Editors on Windows start files with a byte-order mark; like most JSON tools, ignore it.
        if start == 0 && fullLength >= 3 && bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            bytes = UnsafeRawBufferPointer(rebasing: bytes.dropFirst(3))
            fullLength -= 3
        }
        if fullLength == 0 || (fullLength <= Int64(bytes.count) && Self.isBlank(bytes)) { return }
        let number = reader.firstLine + summary.lines - 1
        if fullLength > Int64(reader.maxRecordBytes) {
            let prefix = UnsafeRawBufferPointer(rebasing: bytes.prefix(reader.oversizePrefix))
            try body(LineReader.Line(bytes: prefix, offset: start, number: number, kind: .oversize(length: fullLength)))
        } else {
            try body(LineReader.Line(bytes: bytes, offset: start, number: number, kind: .complete))
        }
    }

    /// Only spaces, tabs and carriage returns (checked only when the first byte is one).
    private static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, first == 0x20 || first == 0x09 || first == 0x0D else { return false }
        return bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    private func findNewline(_ chunk: UnsafeRawBufferPointer, from index: Int) -> Int? {
        guard index < chunk.count, let base = chunk.baseAddress else { return nil }
        guard let found = memchr(base + index, Int32(UInt8(ascii: "\n")), chunk.count - index) else { return nil }
        return UnsafeRawPointer(found) - base
    }
}
