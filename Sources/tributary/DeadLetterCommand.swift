import ArgumentParser

/// `tributary dead-letter`: the records a pipeline rejected.
struct DeadLetterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letter",
        abstract: "Inspect and replay the records a pipeline rejected.",
        // One line per subcommand.
        subcommands: [
            DeadLetterListCommand.self,
            DeadLetterShowCommand.self,
            DeadLetterReplayCommand.self,
        ]
    )
}
