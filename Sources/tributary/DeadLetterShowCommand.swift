import ArgumentParser
import Foundation
import Tributary

/// `tributary dead-letter show`: the rejected records themselves.
struct DeadLetterShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print rejected records: batch, stage, source, reason and the record.",
        discussion: """
            Prints the matching records in batch order: where each came from (topic, partition \
            and offset, or file and line), why it was rejected, and its text (cut to 200 \
            characters unless --full; a record that is not UTF-8 is shown as <base64: N bytes>). \
            With --json every field is printed whole.
            """
    )

    @OptionGroup var options: DeadLetterOptions

    @Option(name: .long, help: "Print at most this many records (0: all).")
    var limit = 20

    @Flag(name: .long, help: "Print whole records instead of their first 200 characters.")
    var full = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 (all) or more, not \(limit)") }
    }

    func run() throws {
        global.bootstrapLogging()
        let read = try options.read()
        let shown = limit == 0 ? read.entries : Array(read.entries.prefix(limit))
        if output.json {
            try ConsoleOutput.printJSON([
                "folder": read.folder,
                "folder_exists": !read.missing,
                "matched": read.entries.count,
                "records": shown.map(Self.json),
                "problems": DeadLetterOptions.json(read.problems),
            ] as [String: Any])
            return
        }
        guard options.announce(folder: read.folder, missing: read.missing, problems: read.problems, matched: !shown.isEmpty) else { return }
        for entry in shown { ConsoleOutput.print(text(entry) + "\n") }
        var footer = "\(shown.count) of \(read.entries.count) matching record\(read.entries.count == 1 ? "" : "s")"
        if shown.count < read.entries.count { footer += "; --limit \(read.entries.count) (or 0) shows all, --batch and --reason narrow them down" }
        ConsoleOutput.print(footer)
    }

    private func text(_ entry: DeadLetterEntry) -> String {
        let limit = full ? nil : 200
        var lines = ["batch \(entry.batch)  stage \(entry.stage)  \(Self.source(entry.source))"]
        lines.append("  reason: \(ConsoleOutput.clip(entry.reason, nil))")
        if let raw = entry.raw {
            lines.append("  raw:    \(ConsoleOutput.clip(raw, limit))")
        } else if let base64 = entry.rawBase64 {
            lines.append("  raw:    <base64: \(entry.rawBytes.count) bytes>" + (full ? " \(base64)" : ""))
        }
        if let length = entry.length {
            lines.append("  (only the first \(entry.rawBytes.count) of \(length) bytes are kept; the source position above has the rest)")
        }
        lines.append("  in:     \(entry.file):\(entry.line)")
        return lines.joined(separator: "\n")
    }

    static func source(_ source: DeadLetterEntry.Source) -> String {
        switch source {
        case let .kafka(topic, partition, offset, key):
            return "kafka \(topic)[\(partition)] offset \(offset)" + (key.map { " key \(ConsoleOutput.clip($0, 40))" } ?? "")
        case let .file(path, line, byteOffset):
            return "file \(path):\(line) (byte \(byteOffset))"
        }
    }

    static func json(_ entry: DeadLetterEntry) -> [String: Any] {
        var source: [String: Any] = ["type": entry.source.type]
        switch entry.source {
        case let .kafka(topic, partition, offset, key):
            source["topic"] = topic
            source["partition"] = partition
            source["offset"] = offset
            source["key"] = key ?? NSNull()
        case let .file(path, line, byteOffset):
            source["file"] = path
            source["line"] = line
            source["byte_offset"] = byteOffset
        }
        var object: [String: Any] = [
            "batch": entry.batch, "time": entry.time, "stage": entry.stage, "reason": entry.reason, "source": source,
            "dead_letter_file": entry.file, "dead_letter_line": entry.line,
        ]
        if let raw = entry.raw { object["raw"] = raw }
        if let base64 = entry.rawBase64 { object["raw_base64"] = base64 }
        if let length = entry.length {
            object["length"] = length
            object["truncated"] = true
        }
        return object
    }
}
