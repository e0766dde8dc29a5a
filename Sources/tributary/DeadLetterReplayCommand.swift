import ArgumentParser
import Foundation
import Tributary

/// `tributary dead-letter replay`: feeds rejected records back through the pipeline.
struct DeadLetterReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Feed dead-lettered records back through decoding, transforms and sinks.",
        discussion: """
            Use it after fixing what rejected them: the schema or a transform in the \
            configuration, or the records themselves (--edit-with opens them, one per line, in \
            a command such as an editor; empty a line to leave that record pending). The \
            records run as one new batch; once it commits they move to the dead-letter \
            folder's replayed/ sub-folder, so nothing is replayed twice. Records that fail \
            again become dead letters of the new batch. Refuses to run while the service holds \
            the checkpoint: stop it first.
            """
    )

    @OptionGroup var selection: DeadLetterOptions

    @Option(name: .long, help: ArgumentHelp("A command run on a file holding the records, one per line, before they are replayed (e.g. \"vi\" or \"sed -i s/yesterday/2025-11-20T00:00:00Z/\").", valueName: "command"))
    var editWith: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if selection.config == nil { throw ValidationError("replay needs --config FILE: the records go through that pipeline's decoding, transforms and sinks") }
    }

    func run() throws {
        global.bootstrapLogging()
        let pipeline = try ConsoleOutput.loadConfig(selection.config!)
        let (_, found, problems, _) = try selection.read()
        DeadLetterOptions.warn(problems)
        var entries = found
        if let editWith {
            entries = try edit(entries.filter { $0.raw != nil }, with: editWith)
        }
        guard !entries.isEmpty else {
            ConsoleOutput.print("no dead letters to replay\(selection.filterDescription)")
            return
        }
        let engine = try ConsoleOutput.openEngine(pipeline)
        guard let result = try engine.replay(entries, note: "dead-letter replay of \(entries.count) record(s)\(selection.filterDescription)") else { return }
        ConsoleOutput.print("replayed \(result.replayed) record(s) as batch \(result.batch): \(result.written) written, \(result.filtered) filtered, \(result.deadLetteredAgain) rejected again")
        if result.deadLetteredAgain > 0 {
            ConsoleOutput.print("see them with: tributary dead-letter show --config \(selection.config!) --batch \(result.batch)")
        }
    }

    /// Writes the records to a temp file, runs `command` on it, and reads them back.
    private func edit(_ entries: [DeadLetterEntry], with command: String) throws -> [DeadLetterEntry] {
        guard !entries.isEmpty else { return [] }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-replay-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        // One record per line: a line break inside a record is JSON whitespace, so it
        // becomes a space.
        let text = entries.map { ($0.raw ?? "").replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(command) \"$1\"", "sh", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            ConsoleOutput.error("error: `\(command)` exited with status \(process.terminationStatus); nothing was replayed")
            throw ExitCode(1)
        }
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count == entries.count else {
            ConsoleOutput.error("error: the edited file has \(lines.count) lines for \(entries.count) records; keep one line per record (empty a line to leave its record pending). Nothing was replayed")
            throw ExitCode(1)
        }
        return zip(entries, lines).compactMap { entry, line in
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            var edited = entry
            edited.raw = String(line)
            return edited
        }
    }
}
