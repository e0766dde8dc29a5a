/// The run-time conversions of `string()`, `int()`, `double()`, `bool()`, `to_timestamp()` and `concat()`.
enum ExpressionConversion {
    /// Text of any value: strings as they are, numbers and bools as literals, timestamps in RFC 3339 UTC,
    /// json as its compact text, null as ''.
    static func text(_ value: FieldValue) -> String {
        switch value {
        case .null: ""
        case .string(let text), .json(let text): text
        case .int(let number): String(number)
        case .double(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        case .timestamp(let micros): TimestampFormat.format(micros)
        case .text: text(value.materialized)
        }
    }

    /// A string parsed as decimal digits, a double truncated toward zero, a bool as 1 or 0.
    static func integer(_ value: FieldValue) throws(ExpressionRuntimeError) -> FieldValue {
        switch value {
        case .int: return value
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .double(let number):
            guard number.isFinite, number > -9_223_372_036_854_775_809.0, number < 9_223_372_036_854_775_808.0 else {
                throw failure(value, "int")
            }
            return .int(Int64(number))
        case .string(let text), .json(let text):
            guard let number = Int64(source(of: value, text)) else { throw failure(value, "int") }
            return .int(number)
        default: throw failure(value, "int")
        }
    }

    /// A string parsed as a finite decimal number, an int, a bool as 1.0 or 0.0.
    static func double(_ value: FieldValue) throws(ExpressionRuntimeError) -> FieldValue {
        switch value {
        case .double: return value
        case .int(let number): return .double(Double(number))
        case .bool(let flag): return .double(flag ? 1 : 0)
        case .string(let text), .json(let text):
            guard let number = Double(source(of: value, text)), number.isFinite else { throw failure(value, "double") }
            return .double(number)
        default: throw failure(value, "double")
        }
    }

    /// 'true' / 'false' (any case), or the ints 1 and 0.
    static func bool(_ value: FieldValue) throws(ExpressionRuntimeError) -> FieldValue {
        switch value {
        case .bool: return value
        case .int(let number) where number == 0 || number == 1: return .bool(number == 1)
        case .string(let text), .json(let text):
            switch source(of: value, text).lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw failure(value, "bool")
            }
        default: throw failure(value, "bool")
        }
    }

    /// RFC 3339 text (see `TimestampFormat.parse`), or an int of epoch milliseconds.
    static func timestamp(_ value: FieldValue) throws(ExpressionRuntimeError) -> FieldValue {
        switch value {
        case .timestamp: return value
        case .int(let millis):
            let (micros, overflow) = millis.multipliedReportingOverflow(by: 1000)
            guard !overflow, TimestampFormat.supportedRange.contains(micros) else { throw failure(value, "timestamp") }
            return .timestamp(micros)
        case .string(let text), .json(let text):
            let source = source(of: value, text)
            if case .json = value, let millis = Int64(source) { return try timestamp(.int(millis)) }
            guard let micros = TimestampFormat.parse(source) else { throw failure(value, "timestamp") }
            return .timestamp(micros)
        default: throw failure(value, "timestamp")
        }
    }

    /// The text to parse: a JSON string's content, other JSON as written, strings as they are.
    private static func source(of value: FieldValue, _ text: String) -> String {
        if case .json = value { return ExpressionJSONText.content(text) }
        return text
    }

    /// "cannot convert 'abc' to int": text quoted (and cut after 40 characters), other values as written.
    static func failure(_ value: FieldValue, _ type: String) -> ExpressionRuntimeError {
        var shown = text(value)
        if shown.count > 40 { shown = shown.prefix(40) + "…" }
        switch value {
        case .string, .json, .timestamp: shown = "'\(shown)'"
        default: break
        }
        return ExpressionRuntimeError(message: "cannot convert \(shown) to \(type)")
    }
}
