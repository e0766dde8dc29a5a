/// Reads the outputs: `[[sink]]` entries (`type = "files" | "kafka" | "console"`, an optional
/// `name` and `when`), or the short forms `[sink.files]` and `[sink.console]`.
enum SinkConfigReader {
    static func read(_ root: TOMLReader, schema: Schema?, base: String) -> [SinkConfig] {
        var sinks: [SinkConfig] = []
        if root.table.contains(key: "sink"), root.table["sink"]?.array != nil {
            for (index, entry) in (root.tables("sink") ?? []).enumerated() {
                defer { entry.finish() }
                guard let kind = entryKind(entry, schema: schema, base: base) else { continue }
                let name = entry.string("name") ?? "\(kindName(kind))-\(index)"
                if sinks.contains(where: { $0.name == name }) {
                    entry.diagnostics.report(entry.keyPath("name"), "sink name '\(name)' is used twice")
                }
                sinks.append(SinkConfig(name: name, kind: kind, when: entry.string("when")))
            }
        } else if let sink = root.table("sink") {
            if let files = sink.table("files") {
                if let kind = filesKind(files, schema: schema, base: base) { sinks.append(SinkConfig(name: "files", kind: kind)) }
                files.finish()
            }
            if let console = sink.table("console") {
                console.finish()
                sinks.append(SinkConfig(name: "console", kind: .console))
            }
            sink.finish()
        }
        if sinks.isEmpty && !root.diagnostics.problems.contains(where: { $0.key.hasPrefix("sink") }) {
            root.diagnostics.report("sink", "no output: add [sink.files] with a path, [sink.console], or [[sink]] entries")
        }
        return sinks
    }

    static func kindName(_ kind: SinkConfig.Kind) -> String {
        switch kind {
        case .files: return "files"
        case .console: return "console"
        case .kafka: return "kafka"
        }
    }

    private static func entryKind(_ entry: TOMLReader, schema: Schema?, base: String) -> SinkConfig.Kind? {
        switch entry.string("type", required: true) {
        case "files": return filesKind(entry, schema: schema, base: base)
        case "console": return .console
        case "kafka": return kafkaKind(entry)
        case nil: return nil
        case let other?:
            entry.diagnostics.report(entry.keyPath("type"), "'\(other)' is not a sink type; use \"files\", \"kafka\" or \"console\"")
            return nil
        }
    }

    private static func filesKind(_ reader: TOMLReader, schema: Schema?, base: String) -> SinkConfig.Kind? {
        let path = reader.string("path", required: true).map { ConfigLoader.resolve($0, base) }
        // partition_by may name a field that a transform creates: checked when the
        // transforms are compiled.
        let partitionBy = reader.string("partition_by")
        return path.map { .files(path: $0, partitionBy: partitionBy) }
    }

    private static func kafkaKind(_ reader: TOMLReader) -> SinkConfig.Kind? {
        let bootstrap = reader.string("bootstrap_servers", required: true)
        let topic = reader.string("topic", required: true)
        guard let bootstrap, let topic else { return nil }
        var config = KafkaSinkConfig(bootstrapServers: bootstrap, topic: topic)
        config.key = reader.string("key")
        if let properties = reader.textTable("librdkafka") { config.librdkafka = properties }
        if let embedded = reader.table("embedded") {
            if let partitions = embedded.int("partitions", min: 1) { config.embeddedPartitions = Int(partitions) }
            embedded.finish()
        }
        return .kafka(config)
    }
}
