/// Streams the elements of a file holding one top-level JSON array (`[{...}, {...}]`), the
/// other input shape besides JSON lines, without loading the file: each element's bytes are
/// handed over as one record, like a line. Only the nesting needed to find the element
/// boundaries is tracked; the elements themselves are validated by the decoder.
struct JSONArrayReader {
    let path: String
    let gzip: Bool
    let maxRecordBytes: Int
    var chunkSize = 1 << 20

    /// True when the file's first non-blank byte (after a UTF-8 byte-order mark) is `[`.
    static func isArrayFile(path: String, gzip: Bool) -> Bool {
        guard let source = try? ByteSource(path: path, gzip: gzip) else { return false }
        var head = [UInt8](repeating: 0, count: 4096)
        let count = (try? head.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, capacity: $0.count) }) ?? 0
        var index = count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0
        while index < count, [0x20, 0x09, 0x0A, 0x0D].contains(head[index]) { index += 1 }
        return index < count && head[index] == UInt8(ascii: "[")
    }

    /// Calls `body` for each element, in order; `number` is the line the element starts on.
    func forEachElement(_ body: (LineReader.Line) throws -> Void) throws -> LineReader.Summary {
        let source = try ByteSource(path: path, gzip: gzip)
        var splitter = ArraySplitter(maxRecordBytes: maxRecordBytes)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        var position: Int64 = 0
        do {
            while true {
                let count = try source.read(into: chunk, capacity: chunkSize)
                if count == 0 { break }
                try splitter.consume(UnsafeRawBufferPointer(start: chunk, count: count), at: position, body)
                position += Int64(count)
            }
        } catch ByteSource.Failure.corruptGzip(let reason) {
            try splitter.fail(reason, at: position, body)
            return splitter.summary(end: position)
        }
        if let problem = splitter.endProblem { try splitter.fail(problem, at: position, body) }
        return splitter.summary(end: position)
    }
}

/// The element-splitting state of one `JSONArrayReader` pass.
private struct ArraySplitter {
    enum State { case beforeArray, betweenElements, inElement, afterArray }

    let maxRecordBytes: Int
    var state = State.beforeArray
    var depth = 0
    var inString = false
    var escaped = false
    var line: Int64 = 1
    var elements: Int64 = 0
    var pending: [UInt8] = []
    var pendingLength: Int64 = 0
    var elementStart: Int64 = 0
    var elementLine: Int64 = 1
    var trailingGarbage = false
    /// Where text after the array's closing bracket starts.
    var garbageStart: Int64 = 0
    var garbageLine: Int64 = 0

    init(maxRecordBytes: Int) { self.maxRecordBytes = maxRecordBytes }

    var endProblem: String? {
        switch state {
        case .afterArray: return trailingGarbage ? "characters after the end of the top-level JSON array" : nil
        case .beforeArray: return nil
        case .betweenElements, .inElement: return "the top-level JSON array is not closed (is the file truncated?)"
        }
    }

    func summary(end: Int64) -> LineReader.Summary { LineReader.Summary(lines: elements, endOffset: end) }

    mutating func consume(_ chunk: UnsafeRawBufferPointer, at base: Int64, _ body: (LineReader.Line) throws -> Void) throws {
        for index in 0..<chunk.count {
            let byte = chunk[index]
            if byte == 0x0A { line += 1 }
            switch state {
            case .beforeArray:
                if byte == UInt8(ascii: "[") { state = .betweenElements }
            case .afterArray:
                if !trailingGarbage && !Self.isBlank(byte) {
                    trailingGarbage = true
                    garbageStart = base + Int64(index)
                    garbageLine = line
                }
                // Kept to show in the dead letter, like an oversize record's first bytes.
                if trailingGarbage && pending.count < 256 { pending.append(byte) }
            case .betweenElements:
                if Self.isBlank(byte) || byte == UInt8(ascii: ",") { continue }
                if byte == UInt8(ascii: "]") { state = .afterArray; continue }
                state = .inElement
                elementStart = base + Int64(index)
                elementLine = line
                try scanElementByte(byte, body)
            case .inElement:
                try scanElementByte(byte, body)
            }
        }
    }

    private mutating func scanElementByte(_ byte: UInt8, _ body: (LineReader.Line) throws -> Void) throws {
        if inString {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
        } else if byte == UInt8(ascii: "\"") {
            inString = true
        } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
            depth += 1
        } else if (byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")) && depth > 0 {
            depth -= 1
        } else if depth == 0 && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")) {
            try finishElement(body)
            state = byte == UInt8(ascii: "]") ? .afterArray : .betweenElements
            return
        }
        pendingLength += 1
        if pending.count <= maxRecordBytes { pending.append(byte) }
    }

    private mutating func finishElement(_ body: (LineReader.Line) throws -> Void) throws {
        while let last = pending.last, Self.isBlank(last) {
            pending.removeLast()
            pendingLength -= 1
        }
        elements += 1
        let kind: LineReader.Kind = pendingLength > Int64(maxRecordBytes) ? .oversize(length: pendingLength) : .complete
        let shown = kind == .complete ? pending[...] : pending.prefix(256)
        try shown.withUnsafeBytes { try body(LineReader.Line(bytes: $0, offset: elementStart, number: elementLine, kind: kind)) }
        pending.removeAll(keepingCapacity: true)
        pendingLength = 0
        depth = 0
    }

    /// Hands over what is left as one damaged record.
    mutating func fail(_ reason: String, at position: Int64, _ body: (LineReader.Line) throws -> Void) throws {
        elements += 1
        var start = position
        var number = line
        if state == .inElement {
            (start, number) = (elementStart, elementLine)
        } else if trailingGarbage {
            (start, number) = (garbageStart, garbageLine)
            while let last = pending.last, Self.isBlank(last) { pending.removeLast() }
        }
        let shown = pending.prefix(256)
        try shown.withUnsafeBytes { try body(LineReader.Line(bytes: $0, offset: start, number: number, kind: .damaged(reason: reason))) }
        pending.removeAll()
        state = .afterArray
        trailingGarbage = false
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
