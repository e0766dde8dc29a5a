public import ArgumentParser
public import Logging
import Foundation
import Tributary

/// The `tributary` command line: one root command with a subcommand per task.
@main
struct TributaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "A stream processor that unions a rate-limited Kafka topic with JSON files dropped into a folder.",
        version: TributaryVersion.current,
        subcommands: [RunCommand.self, BrokerCommand.self, ValidateCommand.self, CheckpointCommand.self, DeadLetterCommand.self, BenchCommand.self]
    )

    static func main() async {
        MallocTuning.apply(environment: ProcessInfo.processInfo.environment)
        await main(nil)
    }
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    /// `--log-level`, nil when not given.
    // Optional so that "not given" can be told apart from "info": `tributary run` then uses
    // the configuration's log_level.
    @Option(name: .customLong("log-level"), help: "Log level (default: the configuration's log_level for `run`, else info).")
    var requestedLogLevel: Logger.Level?

    /// `--log-format`; `auto` is resolved by `bootstrapLogging`.
    @Option(name: .long, help: "Log format; auto is journal when stderr is the systemd journal, else text.")
    var logFormat: LogFormat = .auto

    /// `--log-level`, or info when it is not given. `checkpoint status` reads this because it
    /// installs a handler of its own; everything else goes through `bootstrapLogging`.
    var logLevel: Logger.Level { requestedLogLevel ?? .info }

    /// Sends logs to stderr in the chosen format (`--log-format`) at the chosen level:
    /// `--log-level`, else `configLevel` (the configuration's `log_level`), else info. Call
    /// once per process, first thing in `run()` (for `run`: once the configuration is loaded).
    func bootstrapLogging(configLevel: String? = nil) {
        let level = effectiveLevel(configLevel: configLevel)
        let (format, why) = LogFormat.resolve(logFormat, environment: ProcessInfo.processInfo.environment, stderr: STDERR_FILENO)
        LogLevelControl.shared.level = level
        LoggingSystem.bootstrap { label in
            TributaryLogHandler(label: label, format: format)
        }
        // Says why lines look the way they do (e.g. no timestamps under systemd).
        let source = requestedLogLevel != nil ? "--log-level" : (configLevel != nil ? "log_level" : "default")
        Logger(label: "tributary").debug("logging: format \(format.rawValue) (\(why)), level \(level.rawValue) (\(source))")
    }

    /// On reload (SIGHUP): applies the new configuration's `log_level` to every logger from
    /// the next line on, unless `--log-level` was given (the command line wins). Returns the
    /// level now in force.
    @discardableResult
    func reloadLogLevel(configLevel: String?) -> Logger.Level {
        let level = effectiveLevel(configLevel: configLevel)
        LogLevelControl.shared.level = level
        return level
    }

    /// `--log-level`, else `configLevel` when it names a level, else info.
    private func effectiveLevel(configLevel: String?) -> Logger.Level {
        requestedLogLevel ?? configLevel.flatMap { Logger.Level(rawValue: $0) } ?? .info
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
