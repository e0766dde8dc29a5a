import ArgumentParser
import Foundation
import Tributary

/// `tributary checkpoint reset`: moves the Kafka positions, to re-read the retained stream
/// (a Kappa-style rebuild) or to skip ahead.
struct CheckpointResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Move the Kafka source's offsets (replay the retained topic, or skip ahead).",
        discussion: """
            Records the new positions as a batch of their own that reads nothing, so the \
            checkpoint keeps its history and the next run starts there. Refuses to run while \
            another process (the service) holds the checkpoint: stop it first. Files already \
            taken stay taken; the output already written stays (write to a new output folder \
            to rebuild it).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The pipeline's TOML configuration file.", valueName: "path"))
    var config: String

    @Option(name: .long, help: ArgumentHelp(#"New offsets per topic and partition, as JSON: {"visits":{"0":42,"1":-2}} (-2 earliest, -1 latest); partitions not named keep their position."#, valueName: "json"))
    var toOffsets: String?

    @Flag(name: .long, help: "Move every partition to the earliest retained offset.")
    var toEarliest = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        switch (toOffsets, toEarliest) {
        case (nil, false): throw ValidationError("say where to: --to-earliest, or --to-offsets '{\"topic\":{\"0\":42}}'")
        case (_?, true): throw ValidationError("give either --to-earliest or --to-offsets, not both")
        default: break
        }
        if let toOffsets, Self.parse(toOffsets) == nil {
            throw ValidationError(#"--to-offsets must be JSON like {"visits":{"0":42,"1":-2}}: topics, then partition numbers as strings, then offsets"#)
        }
    }

    func run() throws {
        global.bootstrapLogging()
        let pipeline = try ConsoleOutput.loadConfig(config)
        let engine = try ConsoleOutput.openEngine(pipeline)
        let plan = try engine.reset(to: toOffsets.flatMap(Self.parse))
        ConsoleOutput.print("checkpoint reset as batch \(plan.batch); the next run starts at:")
        for range in plan.kafka { ConsoleOutput.print("  \(range.topic)[\(range.partition)] offset \(range.start)") }
    }

    static func parse(_ text: String) -> [String: [Int32: Int64]]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        var result: [String: [Int32: Int64]] = [:]
        for (topic, value) in object {
            guard let partitions = value as? [String: Any] else { return nil }
            for (partition, offset) in partitions {
                guard let number = Int32(partition), let offset = (offset as? NSNumber)?.int64Value, offset >= -2 else { return nil }
                result[topic, default: [:]][number] = offset
            }
        }
        return result
    }
}
