import Foundation

/// Readable JSON for checkpoint entries (sorted keys, indented, trailing newline) and decoding that turns
/// every failure into a `.corrupt` error naming the file.
enum CheckpointJSON {
    static func encode<T: Encodable>(_ value: T, for path: String) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            var bytes = [UInt8](try encoder.encode(value))
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        } catch {
            throw CheckpointError.invalid(path, "cannot encode the entry for \(path) as JSON: \(error)")
        }
    }

    static func decode<T: Decodable>(_ bytes: [UInt8], as type: T.Type, from path: String) throws -> T {
        if bytes.allSatisfy(isWhitespace) {
            throw CheckpointError.corrupt(path, bytes.isEmpty ? "the file is empty" : "the file holds only whitespace")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw CheckpointError.corrupt(path, reason(error, looksTruncated: looksTruncated(bytes)))
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Whether the text opens an object or array that it never closes, as a cut-off write would.
    private static func looksTruncated(_ bytes: [UInt8]) -> Bool {
        let first = bytes.first { !isWhitespace($0) }
        let last = bytes.last { !isWhitespace($0) }
        return (first == UInt8(ascii: "{") && last != UInt8(ascii: "}"))
            || (first == UInt8(ascii: "[") && last != UInt8(ascii: "]"))
    }

    private static func reason(_ error: DecodingError, looksTruncated: Bool) -> String {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return looksTruncated ? "not valid JSON: it ends early, as if truncated" : "not valid JSON"
        case .dataCorrupted(let context):
            return "invalid value at '\(field(context))': \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing field '\(field(context, key))'"
        case .typeMismatch(let type, let context):
            return "field '\(field(context))' is not of type \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(field(context))' is null, expected \(type)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func field(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
        let keys = context.codingPath + (key.map { [$0] } ?? [])
        return keys.isEmpty ? "(top level)" : keys.map(\.stringValue).joined(separator: ".")
    }
}
