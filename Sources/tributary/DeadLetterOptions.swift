import ArgumentParser
import Foundation
import Glibc
import Tributary

/// Which dead-letter folder, and which of its records.
struct DeadLetterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The pipeline's TOML configuration file (its dead_letter_dir).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The dead-letter folder, when there is no configuration at hand.", valueName: "folder"))
    var deadLetterDir: String?

    @Option(name: .long, help: ArgumentHelp("Only records rejected by this batch.", valueName: "N"))
    var batch: Int64?

    @Option(name: .long, help: ArgumentHelp("Only records whose reason contains this text (any case).", valueName: "text"))
    var reason: String?

    func validate() throws {
        switch (config, deadLetterDir) {
        case (nil, nil): throw ValidationError("say which dead letters: --config FILE (the pipeline's configuration) or --dead-letter-dir FOLDER")
        case (_?, _?): throw ValidationError("give either --config or --dead-letter-dir, not both; --config already names dead_letter_dir")
        default: break
        }
        if let batch, batch < 0 { throw ValidationError("--batch must be a batch id (0 or more), not \(batch)") }
    }

    /// The matching entries and the problems met reading the folder. A missing folder is
    /// empty when it comes from a configuration (nothing was rejected yet: the folder is made
    /// with the first dead letter), and an error (exit status 1) when given directly.
    func read() throws -> (folder: String, entries: [DeadLetterEntry], problems: [DeadLetterReader.Problem], missing: Bool) {
        let folder = try config.map { try ConsoleOutput.loadConfig($0).deadLetterDir } ?? deadLetterDir!
        do {
            let (entries, problems) = try DeadLetterReader.read(folder: folder)
            return (folder, entries.filter(matches), problems, false)
        } catch let error as FileIOError where error.errno == ENOENT && config != nil {
            return (folder, [], [], true)
        } catch {
            ConsoleOutput.error("error: \(error); check the path given to --dead-letter-dir (or dead_letter_dir in the configuration)")
            throw ExitCode(1)
        }
    }

    func matches(_ entry: DeadLetterEntry) -> Bool {
        if let batch, entry.batch != batch { return false }
        if let reason, !reason.isEmpty, entry.reason.range(of: reason, options: .caseInsensitive) == nil { return false }
        return true
    }

    /// What the filters are, for messages: " in batch 3 with reason containing \"x\"".
    var filterDescription: String {
        var parts: [String] = []
        if let batch { parts.append("in batch \(batch)") }
        if let reason { parts.append("with reason containing \"\(reason)\"") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " ")
    }

    /// For text output: warns about unreadable lines, and says so when nothing matched.
    /// Returns true when there is something to print.
    func announce(folder: String, missing: Bool, problems: [DeadLetterReader.Problem], matched: Bool) -> Bool {
        Self.warn(problems)
        if missing {
            ConsoleOutput.print("no dead letters: \(folder) does not exist yet (it is created with the first rejected record)")
            return false
        }
        guard matched else {
            ConsoleOutput.print("no dead letters\(filterDescription) in \(folder)")
            return false
        }
        return true
    }

    /// Reports unreadable lines on stderr (text output; JSON carries them in the document).
    static func warn(_ problems: [DeadLetterReader.Problem]) {
        for problem in problems {
            ConsoleOutput.error("warning: \(problem) (fix or remove the line; the other records are shown)")
        }
    }

    static func json(_ problems: [DeadLetterReader.Problem]) -> [[String: Any]] {
        problems.map { ["file": $0.file, "line": $0.line, "message": $0.message] }
    }
}
