/// Turns already validated JSON text into Swift strings: unescaped string contents and compact value text.
enum JSONStringText {
    /// A String holding the bytes `[start, end)` of `base`, which must be valid UTF-8.
    static func verbatim(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> String {
        let count = end - start
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base + start, byteCount: count)
            return count
        }
    }

    /// The unescaped contents of the validated string whose contents (without quotes) are `[start, end)`.
    static func contents(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> String {
        guard containsBackslash(base, from: start, to: end) else { return verbatim(base, from: start, to: end) }
        // Unescaping never makes text longer: each escape is at least as long as the UTF-8 it stands for.
        return String(unsafeUninitializedCapacity: end - start) { buffer in
            unescape(base, from: start, to: end, into: buffer.baseAddress!)
        }
    }

    /// Whether `[start, end)` contains a backslash.
    static func containsBackslash(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Bool {
        var index = start
        while index < end {
            if base.load(fromByteOffset: index, as: UInt8.self) == JSONByte.backslash { return true }
            index += 1
        }
        return false
    }

    /// Writes the unescaped UTF-8 of validated string contents `[start, end)` to `out`
    /// (which has room for `end - start` bytes); returns the number of bytes written.
    static func unescape(
        _ base: UnsafeRawPointer, from start: Int, to end: Int, into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var index = start
        var written = 0
        while index < end {
            let current = base.load(fromByteOffset: index, as: UInt8.self)
            guard current == JSONByte.backslash else {
                out[written] = current
                written += 1
                index += 1
                continue
            }
            let kind = base.load(fromByteOffset: index + 1, as: UInt8.self)
            if kind == UInt8(ascii: "u") {
                var scalar = hex4(base, at: index + 2)
                index += 6
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(base, at: index + 2) - 0xDC00)
                    index += 6
                }
                written += encodeUTF8(scalar, into: out + written)
            } else {
                out[written] = simpleEscapeValue(kind)
                written += 1
                index += 2
            }
        }
        return written
    }

    /// The byte a one-character escape (`\n`, `\"`, ...) stands for.
    private static func simpleEscapeValue(_ kind: UInt8) -> UInt8 {
        switch kind {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: kind  // '"', '\\' and '/' stand for themselves
        }
    }

    private static func hex4(_ base: UnsafeRawPointer, at start: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in start..<start + 4 {
            value = value << 4 | (JSONByte.hexValue(base.load(fromByteOffset: index, as: UInt8.self)) ?? 0)
        }
        return value
    }

    /// Writes `scalar` as UTF-8; returns the number of bytes written (1 to 4).
    static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// The validated JSON value `[start, end)` as compact text: whitespace outside strings removed.
    static func compact(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> String {
        let first = base.load(fromByteOffset: start, as: UInt8.self)
        // Scalars never contain insignificant whitespace.
        guard JSONScanner.isOpener(first) else { return verbatim(base, from: start, to: end) }
        return String(unsafeUninitializedCapacity: end - start) { buffer in
            writeCompact(base, from: start, to: end, into: buffer.baseAddress!)
        }
    }

    /// Copies the validated JSON value `[start, end)` to `out` without insignificant whitespace;
    /// returns the number of bytes written (at most `end - start`).
    static func writeCompact(
        _ base: UnsafeRawPointer, from start: Int, to end: Int, into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var index = start
        var written = 0
        var inString = false
        while index < end {
            let current = base.load(fromByteOffset: index, as: UInt8.self)
            index += 1
            if inString {
                out[written] = current
                written += 1
                if current == JSONByte.backslash {
                    // The escaped byte can be a quote, which must not end the string.
                    out[written] = base.load(fromByteOffset: index, as: UInt8.self)
                    written += 1
                    index += 1
                } else if current == JSONByte.quote {
                    inString = false
                }
            } else if !JSONByte.isWhitespace(current) {
                out[written] = current
                written += 1
                inString = current == JSONByte.quote
            }
        }
        return written
    }
}
