/// Writes rows of field values as JSON lines, one object per row with keys in schema order.
public struct JSONLineWriter: Sendable {
    /// The schema whose output names become the keys.
    public let schema: Schema
    /// For each field, the bytes written before its value: `{"name":` for the first, `,"name":` after.
    private let keyPrefixes: [[UInt8]]

    /// Creates a writer; fields are written in schema order, by output name.
    public init(schema: Schema) {
        self.schema = schema
        keyPrefixes = schema.fields.enumerated().map { index, field in
            var prefix: [UInt8] = [index == 0 ? JSONByte.openBrace : JSONByte.comma]
            Self.appendQuoted(field.name, to: &prefix)
            prefix.append(JSONByte.colon)
            return prefix
        }
    }

    /// Appends one JSON object for `row` (schema.fields.count values starting at `row[offset]`) followed by "\n"
    /// to `buffer`. null fields are written as null. Strings are escaped per RFC 8259; non-ASCII UTF-8 passes
    /// through. Doubles use the shortest round-trip text (non-finite ones, which JSON cannot hold, as null).
    /// Timestamps are RFC 3339 UTC strings from `TimestampFormat`; json values are written raw.
    public func append(_ row: ArraySlice<FieldValue>, to buffer: inout [UInt8]) {
        precondition(row.count >= keyPrefixes.count, "row has \(row.count) values, schema needs \(keyPrefixes.count)")
        if keyPrefixes.isEmpty { buffer.append(JSONByte.openBrace) }
        var index = row.startIndex
        for prefix in keyPrefixes {
            buffer.append(contentsOf: prefix)
            Self.appendValue(row[index], to: &buffer)
            index += 1
        }
        buffer.append(JSONByte.closeBrace)
        buffer.append(0x0A)
    }

    /// Appends one value as JSON text.
    public static func appendValue(_ value: FieldValue, to buffer: inout [UInt8]) {
        writeValue(value, to: &buffer)
    }

    /// Appends a JSON string literal (with quotes) of `text`, escaped; reused by other writers.
    public static func appendQuoted(_ text: String, to buffer: inout [UInt8]) {
        writeQuoted(text, to: &buffer)
    }

    /// Appends a JSON string literal (with quotes) of the UTF-8 `bytes`, escaped; the bytes are not validated.
    public static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        writeQuoted(bytes, to: &buffer)
    }

    /// `appendValue` for any output.
    static func writeValue<Output: JSONOutput & ~Copyable>(_ value: FieldValue, to buffer: inout Output) {
        switch value {
        case .null:
            buffer.append("null")
        case .string(let text):
            writeQuoted(text, to: &buffer)
        case .int(let number):
            writeInteger(number, to: &buffer)
        case .double(let number):
            writeDouble(number, to: &buffer)
        case .bool(let flag):
            buffer.append(flag ? "true" : "false")
        case .timestamp(let micros):
            TimestampFormat.writeQuoted(micros, to: &buffer)
        case .json(let text):
            buffer.append(utf8: text)
        case let .text(address, count):
            // Its JSON text, which needs no escaping (see `FieldValue.text`).
            buffer.append(bytes: UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: count))
        }
    }

    static func writeQuoted<Output: JSONOutput & ~Copyable>(_ text: String, to buffer: inout Output) {
        var text = text
        text.withUTF8 { writeQuoted(UnsafeRawBufferPointer($0), to: &buffer) }
    }

    static func writeQuoted<Output: JSONOutput & ~Copyable>(_ bytes: UnsafeRawBufferPointer, to buffer: inout Output) {
        buffer.append(JSONByte.quote)
        var runStart = 0
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while none needs escaping: most text needs none.
            if index &+ 8 <= bytes.count && !JSONByte.needsEscape(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index &+= 8
                continue
            }
            let byte = bytes[index]
            index += 1
            guard JSONByte.needsEscape(byte: byte) else { continue }
            let escapeAt = index - 1
            if runStart < escapeAt { buffer.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<escapeAt])) }
            writeEscape(byte, to: &buffer)
            runStart = index
        }
        if runStart < bytes.count { buffer.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart...])) }
        buffer.append(JSONByte.quote)
    }

    private static func writeEscape<Output: JSONOutput & ~Copyable>(_ byte: UInt8, to buffer: inout Output) {
        let short: UInt8
        switch byte {
        case JSONByte.quote, JSONByte.backslash: short = byte
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            buffer.append("\\u00")
            buffer.append(hexDigits.utf8Start[Int(byte >> 4)])
            buffer.append(hexDigits.utf8Start[Int(byte & 0x0F)])
            return
        }
        buffer.append(JSONByte.backslash)
        buffer.append(short)
    }

    /// Writes a double as Swift's `description` writes it (shortest text that reads back as
    /// the same value; `null` when not finite). Values with at most four decimals, the common
    /// case of measurements and prices, are written directly from their digits, without the
    /// String `description` builds.
    static func writeDouble<Output: JSONOutput & ~Copyable>(_ number: Double, to buffer: inout Output) {
        guard number.isFinite else {
            buffer.append("null")
            return
        }
        let magnitude = number.magnitude
        if magnitude >= 1e-4 && magnitude < 1e14 {
            var scale = 1.0
            for decimals in 0...4 {
                let scaled = (magnitude * scale).rounded()
                // m / 10^k is correctly rounded, so when it gives back the value exactly, the
                // text "m with k decimals" reads back as the same double; the smallest such k is
                // the shortest fixed-point text, which is what `description` prints here.
                // When doubles near the value are closer together than 10^-k, no other
                // k-decimal text reads back as this value, so that text is the one
                // `description` picks too.
                if scaled / scale == magnitude && magnitude.ulp * scale < 1 {
                    let digits = Int64(scaled)
                    if number < 0 { buffer.append(JSONByte.minus) }
                    let divisor = Int64(scale)
                    writeInteger(digits / divisor, to: &buffer)
                    buffer.append(UInt8(ascii: "."))
                    if decimals == 0 {
                        buffer.append(UInt8(ascii: "0"))
                    } else {
                        var fraction = digits % divisor
                        var place = divisor / 10
                        while place > 0 {
                            buffer.append(UInt8(0x30 + fraction / place))
                            fraction %= place
                            place /= 10
                        }
                    }
                    return
                }
                scale *= 10
            }
        }
        buffer.append(utf8: number.description)
    }

    /// Writes the decimal text of `number` without going through a String.
    static func writeInteger<Output: JSONOutput & ~Copyable>(_ number: Int64, to buffer: inout Output) {
        if number < 0 { buffer.append(JSONByte.minus) }
        var magnitude = number.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(0x30 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: digits[start...])))
        }
    }
}
