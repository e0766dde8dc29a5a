import ArgumentParser
import Tributary

/// `tributary dead-letter list`: how many records were rejected, by source and reason.
struct DeadLetterListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Count the rejected records by source and reason.",
        discussion: """
            Reads every *.jsonl file directly in the dead-letter folder (hidden files and \
            sub-folders are skipped) and counts the records by source type (kafka, file) and \
            reason. A line that is not a dead letter is reported with its file and line and skipped. \
            `tributary dead-letter show` prints the records themselves.
            """
    )

    @OptionGroup var options: DeadLetterOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Records of one source type with one reason.
    struct Group {
        var source: String
        var reason: String
        var count = 0
        var batches: Set<Int64> = []
    }

    func run() throws {
        global.bootstrapLogging()
        let read = try options.read()
        var groups: [String: Group] = [:]
        for entry in read.entries {
            let key = entry.source.type + "\u{0}" + entry.reason
            groups[key, default: Group(source: entry.source.type, reason: entry.reason)].count += 1
            groups[key]!.batches.insert(entry.batch)
        }
        let sorted = groups.values.sorted { ($1.count, $0.source, $0.reason) < ($0.count, $1.source, $1.reason) }
        let files = Set(read.entries.map(\.file)).count
        if output.json {
            try ConsoleOutput.printJSON([
                "folder": read.folder,
                "folder_exists": !read.missing,
                "groups": sorted.map { ["source": $0.source, "reason": $0.reason, "count": $0.count, "batches": $0.batches.sorted()] as [String: Any] },
                "total": read.entries.count,
                "files": files,
                "problems": DeadLetterOptions.json(read.problems),
            ] as [String: Any])
            return
        }
        guard options.announce(folder: read.folder, missing: read.missing, problems: read.problems, matched: !sorted.isEmpty) else { return }
        var table = TextTable(["SOURCE", "RECORDS", "BATCHES", "REASON"], rightAligned: [1])
        for group in sorted {
            table.add([group.source, String(group.count), Self.batches(group.batches), ConsoleOutput.clip(group.reason, 80)])
        }
        ConsoleOutput.print("dead letters\(options.filterDescription) in \(read.folder):")
        ConsoleOutput.print(table.render())
        var total = "total: \(read.entries.count) record\(read.entries.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")"
        if !read.problems.isEmpty { total += " (\(read.problems.count) unreadable line\(read.problems.count == 1 ? "" : "s") skipped)" }
        ConsoleOutput.print(total)
    }

    /// "0, 2, 5", or the first and last with the count when there are many.
    static func batches(_ batches: Set<Int64>) -> String {
        let sorted = batches.sorted()
        guard sorted.count > 4, let first = sorted.first, let last = sorted.last else { return sorted.map(String.init).joined(separator: ", ") }
        return "\(first) … \(last) (\(sorted.count))"
    }
}
