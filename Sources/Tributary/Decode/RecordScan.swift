/// One record's single pass: validates the whole input and records where each schema path's value lies.
struct RecordScan {
    var scanner: JSONScanner
    let trie: PathTrieView
    /// One entry per trie node, all `.absent` before the scan.
    let spans: UnsafeMutablePointer<JSONValueSpan>
    let collectsCatchAll: Bool
    /// The top-level members no field maps, in input order (only when `collectsCatchAll`).
    private(set) var unmatched: [CatchAllMember] = []
    /// The first repeated key among those the schema reads, reported once the scan succeeds.
    private var duplicate: JSONSyntaxError?

    init(scanner: JSONScanner, trie: PathTrieView, spans: UnsafeMutablePointer<JSONValueSpan>, collectsCatchAll: Bool) {
        self.scanner = scanner
        self.trie = trie
        self.spans = spans
        self.collectsCatchAll = collectsCatchAll
    }

    /// Scans the whole input; returns nil when it is exactly one JSON object, else the decode failure.
    mutating func scanRecord() -> DecodeFailure? {
        if scanner.hasPrefix("\u{FEFF}", at: 0) { scanner.pos = 3 }
        var first: UInt8 = 0
        do throws(JSONSyntaxError) {
            scanner.skipWhitespace()
            guard scanner.pos < scanner.end else {
                // Nothing to point at inside the record: say what it holds instead.
                return DecodeFailure(stage: .decode, reason: "not a JSON object (got only whitespace)")
            }
            first = try scanner.nextByte()
            let start = scanner.pos
            if first == JSONByte.openBrace {
                try scanObject(node: 0, level: 1)
                spans[0] = JSONValueSpan(start: start, end: scanner.pos)
            } else {
                try scanner.skipValue(level: 1)
            }
            scanner.skipWhitespace()
            if scanner.pos < scanner.end { throw JSONSyntaxError(.trailingCharacters, at: scanner.pos) }
        } catch {
            return DecodeFailure(stage: .decode, reason: error.reason)
        }
        guard first == JSONByte.openBrace else {
            return DecodeFailure(stage: .decode, reason: "not a JSON object (got \(Self.kindName(first)))")
        }
        return duplicate.map { DecodeFailure(stage: .decode, reason: $0.reason) }
    }

    /// What a JSON value starting with `first` is, for the "not a JSON object" reason.
    private static func kindName(_ first: UInt8) -> String {
        switch first {
        case JSONByte.openBracket: "array"
        case JSONByte.quote: "string"
        case UInt8(ascii: "t"): "true"
        case UInt8(ascii: "f"): "false"
        case UInt8(ascii: "n"): "null"
        default: "number"
        }
    }

    /// Scans the object at `pos`, looking its keys up among `node`'s children.
    private mutating func scanObject(node: Int, level: Int) throws(JSONSyntaxError) {
        guard level <= scanner.maxDepth else {
            throw JSONSyntaxError(.tooDeep(limit: scanner.maxDepth), at: scanner.pos)
        }
        scanner.pos += 1
        var current = try scanner.nextByte()
        if current == JSONByte.closeBrace {
            scanner.pos += 1
            return
        }
        var hint = 0
        while true {
            guard current == JSONByte.quote else { throw scanner.keyError(current) }
            try scanMember(node: node, level: level, hint: &hint)
            current = try scanner.nextByte()
            if current == JSONByte.comma {
                let comma = scanner.pos
                scanner.pos += 1
                current = try scanner.nextByte()
                if current == JSONByte.closeBrace { throw JSONSyntaxError(.trailingCommaInObject, at: comma) }
            } else if current == JSONByte.closeBrace {
                scanner.pos += 1
                return
            } else {
                throw scanner.separatorError(current, isObject: true)
            }
        }
    }

    /// Scans one member whose key's opening quote is at `pos`, recording its value when some path needs it.
    private mutating func scanMember(node: Int, level: Int, hint: inout Int) throws(JSONSyntaxError) {
        let keyStart = scanner.pos + 1
        // Records tend to repeat their key order: the key expected next is matched in place,
        // which scans it too; any other key is scanned first and then looked up.
        var child = trie.expectedChild(of: node, key: scanner.base + keyStart, available: scanner.end - keyStart, hint: &hint)
        var escaped = false
        let keyEnd: Int
        if child >= 0 {
            keyEnd = keyStart + trie.nameCount(child)
            scanner.pos = keyEnd + 1
        } else {
            escaped = try scanner.scanString()
            keyEnd = scanner.pos - 1
        }
        try scanner.expectColon()
        let first = try scanner.nextByte()
        let valueStart = scanner.pos
        if child < 0 {
            child = escaped
                ? lookUpEscapedKey(node: node, from: keyStart, to: keyEnd, hint: &hint)
                : trie.child(of: node, key: scanner.base + keyStart, count: keyEnd - keyStart, hint: &hint)
        }
        guard child >= 0 else {
            try skipValue(first, level: level + 1)
            if collectsCatchAll && node == 0 {
                unmatched.append(CatchAllMember(keyStart: keyStart, keyEnd: keyEnd, keyEscaped: escaped,
                                                valueStart: valueStart, valueEnd: scanner.pos))
            }
            return
        }
        // A key the schema reads must not appear twice in one object: which value the producer
        // meant is ambiguous (RFC 8259 leaves it open), so the record is rejected rather than
        // one value silently kept. Keys nothing reads are not tracked, which costs nothing. The
        // scan goes on, so that broken JSON is reported as such first.
        if spans[child].isPresent && duplicate == nil {
            duplicate = JSONSyntaxError.duplicateKey(in: scanner.base, from: keyStart, to: keyEnd)
        }
        let subtreeEnd = trie.subtreeEnd(child)
        var isPlainString = false
        if first == JSONByte.openBrace && subtreeEnd > child + 1 {
            try scanObject(node: child, level: level + 1)
        } else {
            isPlainString = try skipValue(first, level: level + 1)
        }
        spans[child] = JSONValueSpan(start: valueStart, end: scanner.pos, isPlainString: isPlainString)
    }

    /// Skips the value starting with `first`; true for a string without escape sequences.
    @inline(__always)
    @discardableResult
    private mutating func skipValue(_ first: UInt8, level: Int) throws(JSONSyntaxError) -> Bool {
        if JSONScanner.isOpener(first) {
            try scanner.skipContainer(level: level)
            return false
        }
        return try scanner.skipScalar(first)
    }

    /// Looks up a key containing escapes by its unescaped bytes.
    private func lookUpEscapedKey(node: Int, from start: Int, to end: Int, hint: inout Int) -> Int {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: end - start) { buffer in
            let count = JSONStringText.unescape(scanner.base, from: start, to: end, into: buffer.baseAddress!)
            return trie.child(of: node, key: UnsafeRawPointer(buffer.baseAddress!), count: count, hint: &hint)
        }
    }
}
