import ArgumentParser

/// `tributary checkpoint`: looking at (and later, repairing) a pipeline's checkpoint.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Inspect or reset a pipeline's checkpoint.",
        // One line per subcommand.
        subcommands: [
            CheckpointStatusCommand.self,
            CheckpointResetCommand.self,
        ]
    )
}
