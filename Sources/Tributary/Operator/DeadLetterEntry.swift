import Foundation

/// One record of a dead-letter file (`dead_letter_dir/<batch>-<source>.jsonl`), as read back
/// by `DeadLetterReader`, with where it was found.
public struct DeadLetterEntry: Sendable, Equatable {
    /// Where the rejected record came from.
    public enum Source: Sendable, Equatable {
        /// A Kafka record; `key` is its key as written (text, or base64 when not UTF-8).
        case kafka(topic: String, partition: Int32, offset: Int64, key: String?)
        /// A line of an input file.
        case file(path: String, line: Int64, byteOffset: Int64)

        /// "kafka" or "file", as in the record's `source.type`.
        public var type: String {
            switch self {
            case .kafka: return "kafka"
            case .file: return "file"
            }
        }
    }

    /// The batch that rejected the record.
    public var batch: Int64
    /// The batch's processing time (RFC 3339).
    public var time: String
    /// Where processing failed: "decode", "schema", "transform" or "sink".
    public var stage: String
    /// Why, in words.
    public var reason: String
    public var source: Source
    /// The record's text, when it is valid UTF-8.
    public var raw: String?
    /// The record's bytes in base64, when they are not valid UTF-8.
    public var rawBase64: String?
    /// For an oversize record, whose first bytes only are kept: its full length.
    public var length: Int64?
    /// The dead-letter file the entry was read from.
    public var file: String
    /// The entry's 1-based line number in `file`.
    public var line: Int

    /// The record's bytes as kept: `raw` as UTF-8, or `rawBase64` decoded.
    public var rawBytes: [UInt8] {
        if let raw { return Array(raw.utf8) }
        return rawBase64.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
    }

    /// True when only the first bytes of the record are kept (see `length`).
    public var isTruncated: Bool { length != nil }
}
