import ArgumentParser

/// `--json`, for commands that print tables by default.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document (sorted keys) instead of tables, for scripts.")
    var json = false
}
