/// A forward-only cursor over UTF-8 JSON text that validates everything it skips, without allocating.
///
/// Containers are skipped iteratively with an explicit stack bounded by `maxDepth`,
/// so deeply nested input fails cleanly instead of overflowing the call stack.
struct JSONScanner {
    /// The first input byte.
    let base: UnsafeRawPointer
    /// The number of input bytes; offsets run from 0 to `end`.
    let end: Int
    /// The offset of the next byte to read.
    var pos: Int
    /// The deepest container nesting allowed (the top-level value is level 1).
    let maxDepth: Int
    /// Scratch space of at least `maxDepth` entries: whether each open container is an object.
    let stack: UnsafeMutablePointer<Bool>

    @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end && JSONByte.isWhitespace(byte(at: pos)) {
            pos += 1
        }
    }

    /// Skips whitespace and returns the byte at `pos` without consuming it; fails at the end of input.
    @inline(__always)
    mutating func nextByte() throws(JSONSyntaxError) -> UInt8 {
        skipWhitespace()
        guard pos < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
        return byte(at: pos)
    }

    /// Skips one complete value whose container nesting level (if it is a container) would be `level`.
    mutating func skipValue(level: Int) throws(JSONSyntaxError) {
        let first = try nextByte()
        if Self.isOpener(first) {
            try skipContainer(level: level)
        } else {
            try skipScalar(first)
        }
    }

    /// Skips a string, number or literal starting at `pos`, whose first byte is `first`.
    /// Returns true for a string without escape sequences.
    @discardableResult
    mutating func skipScalar(_ first: UInt8) throws(JSONSyntaxError) -> Bool {
        switch first {
        case JSONByte.quote: return try !scanString()
        case JSONByte.minus, 0x30...0x39: try scanNumber()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        default: throw valueStartError(first)
        }
        return false
    }

    /// Skips the array or object whose opening bracket is at `pos`, iteratively.
    mutating func skipContainer(level: Int) throws(JSONSyntaxError) {
        var depth = 0
        var isObject = false
        var current = byte(at: pos)
        opening: while true {
            guard level + depth <= maxDepth else { throw JSONSyntaxError(.tooDeep(limit: maxDepth), at: pos) }
            isObject = current == JSONByte.openBrace
            stack[depth] = isObject
            depth += 1
            pos += 1
            current = try nextByte()
            if current == Self.closer(isObject) {
                pos += 1
                depth -= 1
                if depth == 0 { return }
                isObject = stack[depth - 1]
            } else {
                if isObject { current = try skipKey(current) }
                if Self.isOpener(current) { continue opening }
                try skipScalar(current)
            }
            // A value has just ended inside the innermost open container.
            while true {
                current = try nextByte()
                if current == JSONByte.comma {
                    current = try skipComma(isObject: isObject)
                    if Self.isOpener(current) { continue opening }
                    try skipScalar(current)
                } else if current == Self.closer(isObject) {
                    pos += 1
                    depth -= 1
                    if depth == 0 { return }
                    isObject = stack[depth - 1]
                } else {
                    throw separatorError(current, isObject: isObject)
                }
            }
        }
    }

    /// Consumes the ',' at `pos` and, in objects, the next key and ':'; returns the first byte of the next value.
    mutating func skipComma(isObject: Bool) throws(JSONSyntaxError) -> UInt8 {
        let comma = pos
        pos += 1
        let next = try nextByte()
        if next == Self.closer(isObject) {
            throw JSONSyntaxError(isObject ? .trailingCommaInObject : .trailingCommaInArray, at: comma)
        }
        return isObject ? try skipKey(next) : next
    }

    /// Consumes an object key starting at `pos` (whose first byte is `first`) and its ':';
    /// returns the first byte of the member's value.
    mutating func skipKey(_ first: UInt8) throws(JSONSyntaxError) -> UInt8 {
        guard first == JSONByte.quote else { throw keyError(first) }
        _ = try scanString()
        try expectColon()
        return try nextByte()
    }

    /// Consumes optional whitespace and a ':'.
    @inline(__always)
    mutating func expectColon() throws(JSONSyntaxError) {
        // Most keys are followed by the colon itself: one comparison, no call.
        if pos < end && byte(at: pos) == JSONByte.colon {
            pos += 1
            return
        }
        try expectColonAfterWhitespace()
    }

    private mutating func expectColonAfterWhitespace() throws(JSONSyntaxError) {
        guard try nextByte() == JSONByte.colon else { throw JSONSyntaxError(.expectedColon, at: pos) }
        pos += 1
    }

    @inline(__always)
    static func isOpener(_ byte: UInt8) -> Bool {
        byte == JSONByte.openBrace || byte == JSONByte.openBracket
    }

    @inline(__always)
    static func closer(_ isObject: Bool) -> UInt8 {
        isObject ? JSONByte.closeBrace : JSONByte.closeBracket
    }
}
