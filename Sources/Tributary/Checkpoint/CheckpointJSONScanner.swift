/// Reads one flat JSON object whose members are strings, integers or booleans from a range of bytes.
///
/// The processed-files snapshot holds one such object per file; decoding a million of them with JSONDecoder
/// would dominate start-up, so this reads them directly.
struct CheckpointJSONScanner {
    enum Value {
        case string(String)
        case integer(Int64)
        case boolean(Bool)
    }

    struct Failure: Error {
        let reason: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let start: Int
    private let end: Int
    private var index: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        start = range.lowerBound
        end = range.upperBound
        index = range.lowerBound
    }

    /// Calls `member` with the UTF-8 bytes of every member name and its value, in order.
    mutating func scanObject(_ member: (UnsafeBufferPointer<UInt8>, Value) throws -> Void) throws {
        try expect(Byte.openBrace, "expected '{'")
        skipSpace()
        if peek() == Byte.closeBrace {
            index += 1
        } else {
            try scanMembers(member)
        }
        skipSpace()
        guard index == end else { throw failure("unexpected text after the object") }
    }

    private mutating func scanMembers(_ member: (UnsafeBufferPointer<UInt8>, Value) throws -> Void) throws {
        while true {
            try expect(Byte.quote, "expected a member name")
            // Names are compared as bytes: making a String of each would dominate loading a snapshot.
            let (nameRange, escapedName) = try scanName()
            try expect(Byte.colon, "expected ':' after a member name")
            skipSpace()
            let value = try scanValue()
            if let escapedName {
                try escapedName.withUnsafeBufferPointer { try member($0, value) }
            } else {
                try member(UnsafeBufferPointer(rebasing: bytes[nameRange]), value)
            }
            skipSpace()
            guard let next = peek() else { throw failure("the object is not closed") }
            index += 1
            if next == Byte.closeBrace { return }
            guard next == Byte.comma else { throw failure("expected ',' or '}'") }
        }
    }

    /// The range of a name without escapes, or its decoded bytes if it has some.
    private mutating func scanName() throws -> (Range<Int>, [UInt8]?) {
        let nameStart = index
        while index < end, bytes[index] != Byte.quote, bytes[index] != Byte.backslash, bytes[index] >= 0x20 {
            index += 1
        }
        if index < end, bytes[index] == Byte.quote {
            index += 1
            return (nameStart..<index - 1, nil)
        }
        index = nameStart
        return (nameStart..<nameStart, Array(try scanString().utf8))
    }

    private mutating func scanValue() throws -> Value {
        guard let byte = peek() else { throw failure("a value is missing") }
        switch byte {
        case Byte.quote:
            index += 1
            return .string(try scanString())
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .boolean(true)
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .boolean(false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .integer(try scanInteger())
        default:
            throw failure("unsupported value (expected a string, an integer or a boolean)")
        }
    }

    private mutating func scanLiteral(_ word: String) throws {
        for expected in word.utf8 {
            guard peek() == expected else { throw failure("invalid literal, expected \(word)") }
            index += 1
        }
    }

    private mutating func scanInteger() throws -> Int64 {
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digitsStart = index
        var value: Int64 = 0
        while index < end, bytes[index] &- UInt8(ascii: "0") < 10 {
            let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
            let (scaled, overflow1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negative numbers downwards so Int64.min fits.
            let (next, overflow2) = negative
                ? scaled.subtractingReportingOverflow(digit) : scaled.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw failure("an integer out of the 64-bit range") }
            value = next
            index += 1
        }
        guard index > digitsStart else { throw failure("'-' without digits") }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") {
            throw failure("a number that is not an integer")
        }
        return value
    }

    /// Reads a string whose opening quote was consumed.
    private mutating func scanString() throws -> String {
        let stringStart = index
        while index < end {
            let byte = bytes[index]
            if byte == Byte.quote {
                index += 1
                return try makeString(UnsafeBufferPointer(rebasing: bytes[stringStart..<index - 1]))
            }
            if byte == Byte.backslash { return try scanEscapedString(from: stringStart) }
            if byte < 0x20 { throw failure("a control character inside a string") }
            index += 1
        }
        throw failure("a string is not terminated")
    }

    private mutating func scanEscapedString(from stringStart: Int) throws -> String {
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[stringStart..<index]))
        while index < end {
            let byte = bytes[index]
            index += 1
            switch byte {
            case Byte.quote: return try utf8.withUnsafeBufferPointer { try makeString($0) }
            case Byte.backslash: try appendEscape(to: &utf8)
            case ..<0x20: throw failure("a control character inside a string")
            default: utf8.append(byte)
            }
        }
        throw failure("a string is not terminated")
    }

    private mutating func appendEscape(to utf8: inout [UInt8]) throws {
        guard let byte = peek() else { throw failure("a string is not terminated") }
        index += 1
        switch byte {
        case Byte.quote, Byte.backslash, UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(to: &utf8)
        default: throw failure("an invalid escape sequence")
        }
    }

    private mutating func appendUnicodeEscape(to utf8: inout [UInt8]) throws {
        var code = try scanHex4()
        if (0xD800..<0xDC00).contains(code) {
            guard peek() == Byte.backslash, index + 1 < end, bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("a lone UTF-16 surrogate")
            }
            index += 2
            let low = try scanHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone UTF-16 surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("a lone UTF-16 surrogate") }
        UTF8.encode(scalar) { utf8.append($0) }
    }

    private mutating func scanHex4() throws -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Self.hexValue(byte) else { throw failure("an invalid \\u escape") }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func makeString(_ utf8: UnsafeBufferPointer<UInt8>) throws -> String {
        guard let string = String(validating: utf8, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
        return string
    }

    private func peek() -> UInt8? {
        index < end ? bytes[index] : nil
    }

    private mutating func skipSpace() {
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ problem: @autoclosure () -> String) throws {
        skipSpace()
        guard peek() == byte else { throw failure(problem()) }
        index += 1
    }

    private func failure(_ problem: String) -> Failure {
        Failure(reason: "\(problem) at column \(index - start + 1)")
    }

    private enum Byte {
        static let quote = UInt8(ascii: "\"")
        static let backslash = UInt8(ascii: "\\")
        static let openBrace = UInt8(ascii: "{")
        static let closeBrace = UInt8(ascii: "}")
        static let colon = UInt8(ascii: ":")
        static let comma = UInt8(ascii: ",")
    }
}
