extension JSONScanner {
    /// Skips the string whose opening quote is at `pos`, validating escapes and UTF-8.
    /// Returns whether the string contains escape sequences.
    mutating func scanString() throws(JSONSyntaxError) -> Bool {
        var index = pos + 1
        var escaped = false
        while true {
            index = plainRunEnd(from: index)
            guard index < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
            let current = byte(at: index)
            switch current {
            case JSONByte.quote:
                pos = index + 1
                return escaped
            case JSONByte.backslash:
                escaped = true
                index = try escapeEnd(at: index)
            case 0..<0x20:
                throw JSONSyntaxError(.controlCharacter(current), at: index)
            case 0x80...:
                index = try utf8SequenceEnd(at: index)
            default:
                index += 1
            }
        }
    }

    /// The offset of the first quote, backslash, control or non-ASCII byte at or after `start`.
    @inline(__always)
    func plainRunEnd(from start: Int) -> Int {
        var index = start
        while index &+ 8 <= end {
            // Little-endian, so that the first byte in memory is the lowest of the word.
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let flagged = Self.attentionBits(word)
            if flagged != 0 {
                // The lowest flagged byte is the first that needs attention: each test's false
                // positives only sit above a byte it rightly flagged. So the byte is found in
                // the word, not by going on one byte at a time (a string's closing quote is
                // always in its last word).
                return index &+ flagged.trailingZeroBitCount &>> 3
            }
            index &+= 8
        }
        while index < end {
            let current = byte(at: index)
            if current == JSONByte.quote || current == JSONByte.backslash || current < 0x20 || current >= 0x80 {
                break
            }
            index += 1
        }
        return index
    }

    /// The high bit of each of the 8 bytes in `word` that is a quote, backslash, control or
    /// non-ASCII byte, and possibly of bytes above such a byte; none for a byte below the first.
    @inline(__always)
    static func attentionBits(_ word: UInt64) -> UInt64 {
        (JSONByte.escapeBits(word) | word) & JSONByte.highBits
    }

    /// Validates the escape sequence whose backslash is at `index`; returns the offset after it.
    func escapeEnd(at index: Int) throws(JSONSyntaxError) -> Int {
        guard index + 1 < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
        let kind = byte(at: index + 1)
        switch kind {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash,
            UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            return try unicodeEscapeEnd(at: index)
        default:
            throw JSONSyntaxError(.invalidEscape(kind), at: index)
        }
    }

    /// Validates a `\uXXXX` escape at `index`, requiring surrogates to come as a high-low pair.
    private func unicodeEscapeEnd(at index: Int) throws(JSONSyntaxError) -> Int {
        let unit = try hex4(at: index + 2, escapeAt: index)
        switch unit {
        case 0xD800...0xDBFF:
            guard index + 7 < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
            guard byte(at: index + 6) == JSONByte.backslash && byte(at: index + 7) == UInt8(ascii: "u") else {
                throw JSONSyntaxError(.unpairedSurrogate, at: index)
            }
            let low = try hex4(at: index + 8, escapeAt: index + 6)
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONSyntaxError(.unpairedSurrogate, at: index) }
            return index + 12
        case 0xDC00...0xDFFF:
            throw JSONSyntaxError(.unpairedSurrogate, at: index)
        default:
            return index + 6
        }
    }

    private func hex4(at start: Int, escapeAt escape: Int) throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for index in start..<start + 4 {
            guard index < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
            guard let digit = JSONByte.hexValue(byte(at: index)) else {
                throw JSONSyntaxError(.invalidUnicodeEscape, at: escape)
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence whose lead byte (>= 0x80) is at `index`, per Unicode table 3-7:
    /// rejects stray continuation bytes, overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    func utf8SequenceEnd(at index: Int) throws(JSONSyntaxError) -> Int {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch byte(at: index) {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw JSONSyntaxError(.invalidUTF8, at: index)
        }
        guard index + length <= end else { throw JSONSyntaxError(.invalidUTF8, at: index) }
        let second = byte(at: index + 1)
        guard second >= low && second <= high else { throw JSONSyntaxError(.invalidUTF8, at: index) }
        for offset in 2..<length where byte(at: index + offset) & 0xC0 != 0x80 {
            throw JSONSyntaxError(.invalidUTF8, at: index)
        }
        return index + length
    }
}
