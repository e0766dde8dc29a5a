import Foundation
import Glibc

/// Reads the dead-letter folder back: every `*.jsonl` file directly in it (hidden files,
/// which include the writers' temporary files, and sub-folders are skipped). A line that is
/// not a dead letter is reported as a problem with its file and line, never fatal.
public enum DeadLetterReader {
    /// A line that could not be read as a dead letter.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        /// 1-based; 0 when the whole file could not be read.
        public var line: Int
        public var message: String

        public var description: String {
            line == 0 ? "\(file): \(message)" : "\(file) line \(line): \(message)"
        }
    }

    /// Every entry of every dead-letter file in `folder`, by batch (as the file names say),
    /// then file name, then line. Throws `FileIOError` when the folder cannot be listed
    /// (`errno` ENOENT when it does not exist: nothing was ever rejected, or a wrong path).
    public static func read(folder: String) throws -> (entries: [DeadLetterEntry], problems: [Problem]) {
        var entries: [DeadLetterEntry] = []
        var problems: [Problem] = []
        for path in try files(in: folder) {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                // Removed between listing and reading (a replay, an operator), or unreadable.
                problems.append(Problem(file: path, line: 0, message: "cannot be read (\(error.localizedDescription)); check its permissions"))
                continue
            }
            let result = parse(Array(data), file: path)
            entries += result.entries
            problems += result.problems
        }
        return (entries, problems)
    }

    /// The dead-letter files of `folder`, in the order `read` returns their entries.
    public static func files(in folder: String) throws -> [String] {
        guard let directory = opendir(folder) else { throw FileIOError(path: folder, operation: "list", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            })
        }
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return names
            .filter { !$0.hasPrefix(".") && $0.hasSuffix(".jsonl") }
            .filter { name in
                var info = stat()
                return stat(base + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            }
            .sorted { (batchOf($0) ?? .max, $0) < (batchOf($1) ?? .max, $1) }
            .map { base + $0 }
    }

    /// The entries of one file's bytes; `file` names them and their problems.
    public static func parse(_ bytes: [UInt8], file: String) -> (entries: [DeadLetterEntry], problems: [Problem]) {
        var entries: [DeadLetterEntry] = []
        var problems: [Problem] = []
        let decoder = JSONDecoder()
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let record = try decoder.decode(Record.self, from: Data(line))
                entries.append(try record.entry(file: file, line: number))
            } catch let error as DecodingError {
                problems.append(Problem(file: file, line: number, message: reason(error) + "; skipped"))
            } catch {
                problems.append(Problem(file: file, line: number, message: "\(error); skipped"))
            }
        }
        return (entries, problems)
    }

    /// The batch id of a dead-letter file named `<batch>-<source>.jsonl`.
    static func batchOf(_ name: String) -> Int64? {
        guard let dash = name.firstIndex(of: "-") else { return nil }
        return Int64(name[..<dash])
    }

    private static func reason(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            (path + (key.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON (cut off or damaged)"
        case .dataCorrupted(let context):
            return "invalid value at '\(field(context.codingPath))': \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing field '\(field(context.codingPath, key))'"
        case .typeMismatch(let type, let context):
            return context.codingPath.isEmpty ? "not a JSON object" : "field '\(field(context.codingPath))' is not of type \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(field(context.codingPath))' is null, expected \(type)"
        @unknown default:
            return "\(error)"
        }
    }

    /// The JSON of one dead letter, as `DeadLetter.appendJSON` writes it.
    private struct Record: Decodable {
        struct Origin: Decodable {
            var type: String
            var topic: String?
            var partition: Int32?
            var offset: Int64?
            var key: String?
            var file: String?
            var line: Int64?
            var byteOffset: Int64?

            enum CodingKeys: String, CodingKey {
                case type, topic, partition, offset, key, file, line
                case byteOffset = "byte_offset"
            }
        }

        var batch: Int64
        var time: String?
        var stage: String
        var reason: String
        var source: Origin
        var raw: String?
        var rawBase64: String?
        var length: Int64?

        enum CodingKeys: String, CodingKey {
            case batch, time, stage, reason, source, raw, length
            case rawBase64 = "raw_base64"
        }

        func entry(file: String, line: Int) throws -> DeadLetterEntry {
            let origin: DeadLetterEntry.Source
            switch source.type {
            case "kafka":
                guard let topic = source.topic, let partition = source.partition, let offset = source.offset else {
                    throw Malformed("a kafka source needs topic, partition and offset")
                }
                origin = .kafka(topic: topic, partition: partition, offset: offset, key: source.key)
            case "file":
                guard let path = source.file, let number = source.line else {
                    throw Malformed("a file source needs file and line")
                }
                origin = .file(path: path, line: number, byteOffset: source.byteOffset ?? 0)
            default:
                throw Malformed("unknown source type '\(source.type)' (expected \"kafka\" or \"file\")")
            }
            if let rawBase64, Data(base64Encoded: rawBase64) == nil {
                throw Malformed("raw_base64 is not valid base64")
            }
            return DeadLetterEntry(batch: batch, time: time ?? "", stage: stage, reason: reason, source: origin,
                                   raw: raw, rawBase64: raw == nil ? rawBase64 : nil, length: length, file: file, line: line)
        }
    }

    private struct Malformed: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
