public import ArgumentParser
public import Logging
import Tributary

/// The `tributary` command line: one root command with a subcommand per task.
@main
struct TributaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "A stream processor that unions a rate-limited Kafka topic with JSON files dropped into a folder.",
        version: TributaryVersion.current,
        subcommands: [RunCommand.self, BrokerCommand.self, ValidateCommand.self, CheckpointCommand.self, DeadLetterCommand.self]
    )
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Sends logs to stderr at the chosen level. Call once, first thing in `run()`.
    func bootstrapLogging() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
