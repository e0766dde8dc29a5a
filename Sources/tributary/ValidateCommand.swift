import ArgumentParser
import Tributary

/// `tributary validate`: checks a configuration and the folders it names, without starting
/// anything or connecting to anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline configuration and its folders, then print the effective configuration.",
        discussion: """
            Reads the configuration as `tributary run` would (exit status 2 with every problem \
            when the file is wrong), then checks on this machine that checkpoint_dir, \
            dead_letter_dir, archive_dir and each file sink's path are writable folders or can \
            be created, and that the input folder is readable (exit status 1 with every problem). \
            On success prints "configuration OK" and every key with its effective value, \
            defaults included; secrets are shown as ***. Nothing is created and no broker is contacted.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The pipeline's TOML configuration file.", valueName: "path"))
    var config: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        global.bootstrapLogging()
        let pipeline = try ConsoleOutput.loadConfig(config)
        let problems = PipelineValidator.check(pipeline)
        guard problems.isEmpty else {
            let list = problems.map { "  - \($0)" }.joined(separator: "\n")
            ConsoleOutput.error("""
                configuration \(config) cannot run on this machine (\(problems.count) problem\(problems.count == 1 ? "" : "s")):
                \(list)
                Fix these and run `tributary validate --config \(config)` again.
                """)
            throw ExitCode(1)
        }
        ConsoleOutput.print("configuration OK: \(config)\n")
        ConsoleOutput.print("# The effective configuration: every key with the value in use, defaults included; secrets are shown as ***.")
        ConsoleOutput.print(ConfigDescription.describe(pipeline))
    }
}
