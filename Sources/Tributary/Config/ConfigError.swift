/// Everything wrong with a configuration file, each problem with its key path and a hint.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// One problem: where (`source.kafka.max_offsets_per_trigger`) and what, with a hint.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var key: String
        public var message: String
        public var description: String { key.isEmpty ? message : "\(key): \(message)" }
    }

    /// The file the problems were found in.
    public var file: String
    public var problems: [Problem]

    public var description: String {
        let list = problems.map { "  - \($0)" }.joined(separator: "\n")
        return "invalid configuration \(file) (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n\(list)\nFix these and run `tributary validate --config \(file)` again."
    }
}
