/// Reading compact JSON text values.
enum ExpressionJSONText {
    private typealias JSONBytes = Slice<UnsafeBufferPointer<UInt8>>

    /// The unescaped content when `json` is a JSON string, else `json` itself (also when the string is malformed).
    static func content(_ json: String) -> String {
        var json = json
        return json.withUTF8 { bytes in
            guard bytes.count >= 2, bytes[0] == 0x22, bytes[bytes.count - 1] == 0x22 else { return nil }
            return unescape(bytes[1..<bytes.count - 1])
        } ?? json
    }

    /// The string a JSON string's contents stand for; nil when an escape is malformed.
    private static func unescape(_ inner: JSONBytes) -> String? {
        guard inner.contains(0x5C) else { return String(decoding: inner, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var index = inner.startIndex
        while index < inner.endIndex {
            guard inner[index] == 0x5C else {
                let end = inner[index...].firstIndex(of: 0x5C) ?? inner.endIndex
                scalars.append(contentsOf: String(decoding: inner[index..<end], as: UTF8.self).unicodeScalars)
                index = end
                continue
            }
            guard let (scalar, next) = escape(inner, at: index) else { return nil }
            scalars.append(scalar)
            index = next
        }
        return String(scalars)
    }

    /// The character the escape at `index` (a backslash) stands for and the index after it.
    private static func escape(_ bytes: JSONBytes, at index: Int) -> (Unicode.Scalar, Int)? {
        guard index + 1 < bytes.endIndex else { return nil }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            return (Unicode.Scalar(bytes[index + 1]), index + 2)
        case UInt8(ascii: "b"): return ("\u{08}", index + 2)
        case UInt8(ascii: "f"): return ("\u{0C}", index + 2)
        case UInt8(ascii: "n"): return ("\n", index + 2)
        case UInt8(ascii: "r"): return ("\r", index + 2)
        case UInt8(ascii: "t"): return ("\t", index + 2)
        case UInt8(ascii: "u"): return unicodeEscape(bytes, at: index)
        default: return nil
        }
    }

    /// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, at `index`.
    private static func unicodeEscape(_ bytes: JSONBytes, at index: Int) -> (Unicode.Scalar, Int)? {
        guard let high = hex4(bytes, at: index + 2) else { return nil }
        guard (0xD800...0xDBFF).contains(high) else { return Unicode.Scalar(high).map { ($0, index + 6) } }
        guard index + 7 < bytes.endIndex, bytes[index + 6] == 0x5C, bytes[index + 7] == UInt8(ascii: "u"),
            let low = hex4(bytes, at: index + 8), (0xDC00...0xDFFF).contains(low)
        else { return nil }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).map { ($0, index + 12) }
    }

    private static func hex4(_ bytes: JSONBytes, at start: Int) -> UInt32? {
        guard start + 4 <= bytes.endIndex else { return nil }
        var value: UInt32 = 0
        for byte in bytes[start..<start + 4] {
            guard let digit = JSONByte.hexValue(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }
}
