import Logging

/// Renders one log event as one line (with its trailing newline) in a concrete format.
enum LogLine {
    /// The line for an event. `format` must not be `.auto` (it is treated as `.text`).
    static func render(format: LogFormat, time: LogTimestamp, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        switch format {
        case .json:
            var line = "{\"time\":" + jsonString(time.iso8601)
            line += ",\"level\":" + jsonString(level.rawValue)
            line += ",\"label\":" + jsonString(label)
            line += ",\"message\":" + jsonString(message)
            line += ",\"metadata\":" + jsonValue(.dictionary(metadata)) + "}\n"
            return line
        case .journal:
            return "<\(priority(level))>\(label): \(oneLine(message))\(pairs(metadata))\n"
        case .text, .auto:
            return "\(time.iso8601) \(level.rawValue) \(label): \(oneLine(message))\(pairs(metadata))\n"
        }
    }

    /// The syslog priority sd-daemon(3) expects in a `<N>` prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// ` key=value` for each entry, sorted by key, or "" when there is none.
    private static func pairs(_ metadata: Logger.Metadata) -> String {
        metadata.sorted { $0.key < $1.key }.map { " \(oneLine($0.key))=\(oneLine($0.value.description))" }.joined()
    }

    /// `text` with line breaks and other control characters escaped (`\n`, `\r`, `\u001B`),
    /// so that one event stays one line and a record cannot drive the terminal. Tabs stay.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out.append(contentsOf: unicodeEscape(scalar).unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// A metadata value as JSON: strings and other values as strings, arrays and
    /// dictionaries (keys sorted) as themselves.
    private static func jsonValue(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return jsonString(text)
        case .stringConvertible(let convertible): return jsonString(convertible.description)
        case .array(let values): return "[" + values.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { jsonString($0.key) + ":" + jsonValue($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// `text` as a JSON string literal (RFC 8259): quotes, backslashes and control characters
    /// escaped, everything else as UTF-8.
    static func jsonString(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            default:
                if scalar.value < 0x20 {
                    out.append(contentsOf: unicodeEscape(scalar).unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        out.append("\"")
        return String(out)
    }

    /// `\u001B` for a control character.
    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
