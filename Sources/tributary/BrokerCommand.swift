import ArgumentParser
import Foundation
import Kafka
import Logging

/// `tributary broker`: an embedded Kafka-protocol broker for tests and offline demos.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an embedded Kafka-protocol broker on loopback (for tests and demos).",
        discussion: """
            Starts librdkafka's in-process mock cluster, creates the topics given with --topic, \
            optionally loads JSON-lines files into them, prints the bootstrap address (host:port) \
            on stdout and runs until SIGINT or SIGTERM. Any Kafka client (kcat, Tributary) can use it.

            Limits: the port is random (librdkafka 2.0.2 cannot choose it), so read the address \
            from stdout or --bootstrap-file; data lives in memory only and each partition keeps \
            about 5 MB or 100 000 message sets, dropping its oldest data beyond that as retention \
            would; timestamp lookups are not supported; partitions cannot be added to a topic.
            """
    )

    @Option(name: .long, help: ArgumentHelp("A topic to create, as NAME or NAME:PARTITIONS (default 1 partition). Repeatable.", valueName: "name[:partitions]"))
    var topic: [TopicSpec] = []

    @Option(name: .long, help: ArgumentHelp("Load a JSON-lines file into a topic, one record per non-empty line, spread over its partitions in turn. Repeatable.", valueName: "topic=path"))
    var load: [LoadSpec] = []

    @Option(name: .long, help: "Number of brokers in the cluster.")
    var brokers: Int = 1

    @Option(name: .long, help: ArgumentHelp("Also write the bootstrap address to this file (atomically).", valueName: "path"))
    var bootstrapFile: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
        let names = Set(topic.map(\.name))
        for spec in load where !names.contains(spec.topic) {
            throw ValidationError("--load names topic '\(spec.topic)', which no --topic creates; add --topic \(spec.topic):PARTITIONS")
        }
    }

    func run() async throws {
        global.bootstrapLogging()
        let logger = Logger(label: "tributary.broker")
        let broker = try EmbeddedKafka(brokers: brokers)
        for spec in topic { try broker.createTopic(spec.name, partitions: spec.partitions) }
        for spec in load {
            let partitions = topic.first { $0.name == spec.topic }?.partitions ?? 1
            let count = try broker.load(jsonLinesFile: spec.path, into: spec.topic, partitions: partitions)
            logger.info("loaded \(count) records from \(spec.path) into \(spec.topic)")
        }
        if let bootstrapFile {
            let temporary = bootstrapFile + ".tmp"
            try Data((broker.bootstrapServers + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, bootstrapFile) == 0 else {
                throw ValidationError("cannot write \(bootstrapFile): \(String(cString: strerror(errno))); check the folder exists and is writable")
            }
        }
        FileHandle.standardOutput.write(Data((broker.bootstrapServers + "\n").utf8))
        logger.info("embedded Kafka broker listening on \(broker.bootstrapServers) with topics \(topic.map(\.description).joined(separator: ", ")); stop with Ctrl-C or SIGTERM")
        let signal = await ShutdownSignal.wait() ?? "cancellation"
        logger.info("received \(signal), stopping the embedded broker")
    }
}

/// `NAME[:PARTITIONS]`.
struct TopicSpec: ExpressibleByArgument, CustomStringConvertible {
    var name: String
    var partitions: Int

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, parts.count <= 2 else { return nil }
        name = String(first)
        if parts.count == 2 {
            guard let count = Int(parts[1]), (1...1000).contains(count) else { return nil }
            partitions = count
        } else {
            partitions = 1
        }
    }

    var description: String { "\(name):\(partitions)" }
}

/// `TOPIC=PATH`.
struct LoadSpec: ExpressibleByArgument {
    var topic: String
    var path: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        topic = String(argument[..<equals])
        path = String(argument[argument.index(after: equals)...])
        guard !path.isEmpty else { return nil }
    }
}
