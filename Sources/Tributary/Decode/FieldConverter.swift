/// Converts one recorded input value to its field's type, or explains precisely why it does not fit.
struct FieldConverter {
    /// The first input byte; spans are offsets from here.
    let base: UnsafeRawPointer
    /// The schema's fields, borrowed so that reading them involves no reference counting.
    let fields: UnsafeBufferPointer<SchemaField>

    /// Raw value text longer than this is cut in failure reasons.
    private static let snippetLimit = 40

    /// The value at `span` (validated JSON) converted for the field at `field`.
    func convert(_ span: JSONValueSpan, for field: Int) throws(DecodeFailure) -> FieldValue {
        guard span.isPresent else { return try absent(field, "missing") }
        let first = byte(at: span.start)
        if first == UInt8(ascii: "n") { return try absent(field, "null") }
        switch fields[field].type {
        case .string:
            guard first == JSONByte.quote else { throw mismatch(field, span) }
            if span.isPlainString && fields[field].keepsText {
                return .text(address: Int(bitPattern: base + span.start), count: span.end - span.start)
            }
            if span.isPlainString { return .string(JSONStringText.verbatim(base, from: span.start + 1, to: span.end - 1)) }
            return .string(JSONStringText.contents(base, from: span.start + 1, to: span.end - 1))
        case .int:
            return try integer(span, first: first, for: field)
        case .double:
            return try double(span, first: first, for: field)
        case .bool:
            if first == UInt8(ascii: "t") { return .bool(true) }
            if first == UInt8(ascii: "f") { return .bool(false) }
            throw mismatch(field, span)
        case .timestamp:
            return try timestamp(span, first: first, for: field)
        case .json:
            return .json(JSONStringText.compact(base, from: span.start, to: span.end))
        }
    }

    /// The catch-all object of the unmatched top-level members, for the catch-all field at `field`.
    func catchAll(_ unmatched: [CatchAllMember], for field: Int) throws(DecodeFailure) -> FieldValue {
        let value = CatchAllObject.value(of: unmatched, in: base)
        return value == .null ? try absent(field, "missing") : value
    }

    @inline(__always)
    private func byte(at offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    private func absent(_ field: Int, _ state: String) throws(DecodeFailure) -> FieldValue {
        if fields[field].required {
            throw DecodeFailure(stage: .schema, reason: "field \(fields[field].name): required field is \(state)")
        }
        return .null
    }

    /// `field <name>: expected <type>, got <raw JSON>` plus an optional note.
    private func mismatch(_ field: Int, _ span: JSONValueSpan, note: String = "") -> DecodeFailure {
        DecodeFailure(
            stage: .schema,
            reason: "field \(fields[field].name): expected \(fields[field].type.rawValue), got \(snippet(span))\(note)")
    }

    /// The raw text of `span`, cut to at most 40 bytes on a UTF-8 boundary with "…" appended when longer.
    func snippet(_ span: JSONValueSpan) -> String {
        guard span.end - span.start > Self.snippetLimit else {
            return JSONStringText.verbatim(base, from: span.start, to: span.end)
        }
        var cut = span.start + Self.snippetLimit
        while cut > span.start && byte(at: cut) & 0xC0 == 0x80 { cut -= 1 }
        return JSONStringText.verbatim(base, from: span.start, to: cut) + "…"
    }

    private static func isNumberStart(_ first: UInt8) -> Bool {
        first == JSONByte.minus || JSONByte.isDigit(first)
    }

    private func integer(_ span: JSONValueSpan, first: UInt8, for field: Int) throws(DecodeFailure) -> FieldValue {
        guard Self.isNumberStart(first) else { throw mismatch(field, span) }
        switch JSONNumberText(base, from: span.start, to: span.end).integerValue {
        case .value(let value): return .int(value)
        case .fractional: throw mismatch(field, span)
        case .outOfRange: throw mismatch(field, span, note: " (out of 64-bit range)")
        }
    }

    private func double(_ span: JSONValueSpan, first: UInt8, for field: Int) throws(DecodeFailure) -> FieldValue {
        guard Self.isNumberStart(first) else { throw mismatch(field, span) }
        let value = JSONNumberText(base, from: span.start, to: span.end).doubleValue
        guard value.isFinite else { throw mismatch(field, span, note: " (out of range)") }
        return .double(value)
    }

    /// An RFC 3339 string, or an integer number of epoch milliseconds.
    private func timestamp(_ span: JSONValueSpan, first: UInt8, for field: Int) throws(DecodeFailure) -> FieldValue {
        if first == JSONByte.quote {
            guard let micros = parseTimestamp(from: span.start + 1, to: span.end - 1, plain: span.isPlainString) else {
                throw mismatch(field, span)
            }
            return .timestamp(micros)
        }
        guard Self.isNumberStart(first) else { throw mismatch(field, span) }
        switch JSONNumberText(base, from: span.start, to: span.end).integerValue {
        case .value(let millis):
            let (micros, overflow) = millis.multipliedReportingOverflow(by: 1000)
            guard !overflow && TimestampFormat.supportedRange.contains(micros) else {
                throw mismatch(field, span, note: " (out of range)")
            }
            return .timestamp(micros)
        case .fractional: throw mismatch(field, span)
        case .outOfRange: throw mismatch(field, span, note: " (out of range)")
        }
    }

    private func parseTimestamp(from start: Int, to end: Int, plain: Bool) -> Int64? {
        guard !plain && JSONStringText.containsBackslash(base, from: start, to: end) else {
            return TimestampFormat.parse(UnsafeRawBufferPointer(start: base + start, count: end - start))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: end - start) { buffer in
            let count = JSONStringText.unescape(base, from: start, to: end, into: buffer.baseAddress!)
            return TimestampFormat.parse(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count))
        }
    }
}
