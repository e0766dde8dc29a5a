/// Byte constants and classifications shared by the JSON scanner, decoder and writers.
enum JSONByte {
    static var quote: UInt8 { 0x22 }
    static var backslash: UInt8 { 0x5C }
    static var slash: UInt8 { 0x2F }
    static var comma: UInt8 { 0x2C }
    static var colon: UInt8 { 0x3A }
    static var openBrace: UInt8 { 0x7B }
    static var closeBrace: UInt8 { 0x7D }
    static var openBracket: UInt8 { 0x5B }
    static var closeBracket: UInt8 { 0x5D }
    static var minus: UInt8 { 0x2D }
    static var plus: UInt8 { 0x2B }
    static var dot: UInt8 { 0x2E }
    static var zero: UInt8 { 0x30 }
    static var singleQuote: UInt8 { 0x27 }

    /// Whether any of the 8 bytes in `word` is a quote, backslash or control byte: a byte a
    /// JSON string cannot hold as it is. Bytes of 0x80 and above are not flagged. False
    /// positives (a byte above a flagged one) only cost speed; there are no false negatives.
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        escapeBits(word) & highBits != 0
    }

    /// Whether `byte` is a quote, backslash or control byte, which a JSON string cannot hold as it is.
    @inline(__always)
    static func needsEscape(byte: UInt8) -> Bool {
        byte < 0x20 || byte == quote || byte == backslash
    }

    /// `needsEscape`'s test before masking: the high bit of a flagged byte is set.
    @inline(__always)
    static func escapeBits(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let quoteZero = (quotes &- ones) & ~quotes
        let backslashZero = (backslashes &- ones) & ~backslashes
        let control = (word &- ones &* 0x20) & ~word
        return quoteZero | backslashZero | control
    }

    /// The high bit of each of 8 bytes.
    static var highBits: UInt64 { 0x8080_8080_8080_8080 }

    /// JSON's four insignificant whitespace bytes.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// An ASCII decimal digit.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    /// The value of an ASCII hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x37)
        case 0x61...0x66: UInt32(byte - 0x57)
        default: nil
        }
    }

    /// Renders one input byte for an error message: `'x'` when printable ASCII, else `byte 0xHH`.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte <= 0x7E {
            return "'" + String(Character(Unicode.Scalar(byte))) + "'"
        }
        return "byte " + hex(byte)
    }

    /// `0xHH` for one byte.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
