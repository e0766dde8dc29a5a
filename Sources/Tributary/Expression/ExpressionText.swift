/// The string operations behind the string functions; positions and lengths count characters.
enum ExpressionText {
    /// `text` without leading and trailing whitespace (Unicode white space); `text` itself when there is none.
    static func trim(_ text: String) -> String {
        var copy = text
        // Fast path over ASCII edges; a non-ASCII byte at an edge may be Unicode white space.
        return copy.withUTF8 { bytes -> String? in
            var start = 0
            var end = bytes.count
            while start < end && isASCIIWhitespace(bytes[start]) { start += 1 }
            while start < end && isASCIIWhitespace(bytes[end - 1]) { end -= 1 }
            if start < end && (bytes[start] >= 0x80 || bytes[end - 1] >= 0x80) { return nil }
            if start == 0 && end == bytes.count { return text }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        } ?? trimScalars(text)
    }

    @inline(__always)
    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    private static func trimScalars(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let isWhitespace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace }
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }) else { return "" }
        // The search from the end stops at `first` at the latest, which is not white space.
        let last = scalars.lastIndex(where: { !isWhitespace($0) }) ?? first
        return String(scalars[first...last])
    }

    /// `text` in lower case (full Unicode mapping; ASCII text without capitals is returned as it is).
    static func lower(_ text: String) -> String {
        mapASCII(text, from: 0x41...0x5A) ?? text.lowercased()
    }

    /// `text` in upper case (full Unicode mapping, e.g. ß → SS).
    static func upper(_ text: String) -> String {
        mapASCII(text, from: 0x61...0x7A) ?? text.uppercased()
    }

    /// For ASCII `text`: itself when no byte is in `letters`, else a copy with those letters' case flipped.
    /// Nil for non-ASCII text.
    private static func mapASCII(_ text: String, from letters: ClosedRange<UInt8>) -> String? {
        var copy = text
        return copy.withUTF8 { bytes -> String? in
            var needsChange = false
            for byte in bytes {
                if byte >= 0x80 { return nil }
                needsChange = needsChange || letters.contains(byte)
            }
            guard needsChange else { return text }
            return String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for (index, byte) in bytes.enumerated() {
                    buffer[index] = letters.contains(byte) ? byte ^ 0x20 : byte
                }
                return bytes.count
            }
        }
    }

    /// SQL `substring`: the characters at 1-based positions `[start, start + length)` that exist
    /// (so `substring('hello', 0, 3)` is 'he'); no `length` means to the end; a negative length gives ''.
    static func substring(_ text: String, start: Int64, length: Int64?) -> String {
        let from = max(start, 1)
        var to = Int64.max
        if let length {
            let (end, overflow) = start.addingReportingOverflow(length)
            to = overflow ? (length < 0 ? Int64.min : Int64.max) : end
        }
        guard to > from, let first = index(text, after: from - 1) else { return "" }
        let count = to == .max ? Int64.max : to - from
        let last = index(text[first...], after: count) ?? text.endIndex
        return String(text[first..<last])
    }

    /// The index `count` characters after the start of `text`, or nil past its end.
    private static func index(_ text: Substring, after count: Int64) -> String.Index? {
        guard count < Int64(Int.max) else { return nil }
        return text.index(text.startIndex, offsetBy: Int(count), limitedBy: text.endIndex)
    }

    private static func index(_ text: String, after count: Int64) -> String.Index? {
        index(text[...], after: count)
    }

    /// Field `position` (1-based; negative counts from the end) of `text` split at `delimiter`;
    /// '' when there is no such field. An empty delimiter leaves `text` as the only field.
    static func splitPart(_ text: String, delimiter: String, position: Int64) -> String {
        guard !delimiter.isEmpty else { return position == 1 || position == -1 ? text : "" }
        var target = position
        if target < 0 {
            var fields: Int64 = 1
            var rest = text[...]
            while let range = rest.firstRange(of: delimiter) {
                fields += 1
                rest = rest[range.upperBound...]
            }
            target = fields + position + 1
            guard target >= 1 else { return "" }
        }
        var field: Int64 = 1
        var rest = text[...]
        while let range = rest.firstRange(of: delimiter) {
            if field == target { return String(rest[..<range.lowerBound]) }
            rest = rest[range.upperBound...]
            field += 1
        }
        return field == target ? String(rest) : ""
    }
}
