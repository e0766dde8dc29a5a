/// One rejected record, as written to `dead_letter_dir/<batch>-<source>.jsonl`.
public struct DeadLetter: Sendable, Equatable {
    /// Where a record failed.
    public enum Stage: String, Sendable, Codable {
        case decode, schema, transform, sink
    }

    /// Where the record came from.
    public enum Origin: Sendable, Equatable {
        case kafka(topic: String, partition: Int32, offset: Int64, key: [UInt8]?)
        case file(path: String, line: Int64, byteOffset: Int64)
    }

    /// The record's bytes (or the first bytes of an oversize one).
    public var raw: [UInt8]
    public var reason: String
    public var stage: Stage
    public var origin: Origin
    /// For oversize records: the full length, when only a prefix is kept.
    public var length: Int64?

    /// The source name used in the dead-letter file name: "kafka" or "files".
    public var sourceName: String {
        if case .kafka = origin { return "kafka" }
        return "files"
    }

    /// Appends this dead letter as one JSON line.
    public func appendJSON(batch: Int64, time: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: Array("{\"batch\":\(batch),\"time\":".utf8))
        JSONLineWriter.appendQuoted(time, to: &buffer)
        buffer.append(contentsOf: Array(",\"stage\":\"\(stage.rawValue)\",\"reason\":".utf8))
        JSONLineWriter.appendQuoted(reason, to: &buffer)
        buffer.append(contentsOf: Array(",\"source\":".utf8))
        appendOrigin(to: &buffer)
        if let valid = String(validating: raw, as: UTF8.self) {
            buffer.append(contentsOf: Array(",\"raw\":".utf8))
            JSONLineWriter.appendQuoted(valid, to: &buffer)
        } else {
            buffer.append(contentsOf: Array(",\"raw_base64\":\"".utf8))
            Base64.append(raw, to: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
        if let length { buffer.append(contentsOf: Array(",\"length\":\(length),\"truncated\":true".utf8)) }
        buffer.append(contentsOf: Array("}\n".utf8))
    }

    private func appendOrigin(to buffer: inout [UInt8]) {
        switch origin {
        case let .kafka(topic, partition, offset, key):
            buffer.append(contentsOf: Array("{\"type\":\"kafka\",\"topic\":".utf8))
            JSONLineWriter.appendQuoted(topic, to: &buffer)
            buffer.append(contentsOf: Array(",\"partition\":\(partition),\"offset\":\(offset),\"key\":".utf8))
            if let key {
                if let text = String(validating: key, as: UTF8.self) {
                    JSONLineWriter.appendQuoted(text, to: &buffer)
                } else {
                    buffer.append(UInt8(ascii: "\""))
                    Base64.append(key, to: &buffer)
                    buffer.append(UInt8(ascii: "\""))
                }
            } else {
                buffer.append(contentsOf: Array("null".utf8))
            }
            buffer.append(UInt8(ascii: "}"))
        case let .file(path, line, byteOffset):
            buffer.append(contentsOf: Array("{\"type\":\"file\",\"file\":".utf8))
            JSONLineWriter.appendQuoted(path, to: &buffer)
            buffer.append(contentsOf: Array(",\"line\":\(line),\"byte_offset\":\(byteOffset)}".utf8))
        }
    }
}

/// Standard base64 with padding, for bytes that are not UTF-8.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func append(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        var index = 0
        while index + 2 < bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { buffer.append(alphabet[Int((value >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            buffer.append(alphabet[Int((value >> 18) & 63)])
            buffer.append(alphabet[Int((value >> 12) & 63)])
            buffer.append(rest == 2 ? alphabet[Int((value >> 6) & 63)] : UInt8(ascii: "="))
            buffer.append(UInt8(ascii: "="))
        }
    }
}

extension DeadLetter.Origin {
    var isKafka: Bool {
        if case .kafka = self { return true }
        return false
    }
}
