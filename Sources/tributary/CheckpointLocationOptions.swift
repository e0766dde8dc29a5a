import ArgumentParser
import Tributary

/// Which checkpoint: the one a configuration names, or a folder given directly.
struct CheckpointLocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The pipeline's TOML configuration file (its checkpoint_dir, and its sources for lag and pending files).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The checkpoint folder, when there is no configuration at hand.", valueName: "folder"))
    var checkpoint: String?

    func validate() throws {
        switch (config, checkpoint) {
        case (nil, nil): throw ValidationError("say which checkpoint: --config FILE (the pipeline's configuration) or --checkpoint FOLDER")
        case (_?, _?): throw ValidationError("give either --config or --checkpoint, not both; --config already names checkpoint_dir")
        default: break
        }
    }

    /// The configuration, when `--config` was given (exits with status 2 when it is wrong).
    func loadConfig() throws -> TributaryConfig? {
        try config.map(ConsoleOutput.loadConfig)
    }
}
