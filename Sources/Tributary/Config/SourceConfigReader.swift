import Foundation

/// Reads `[source.kafka]` and `[source.files]`.
enum SourceConfigReader {
    static func kafka(_ reader: TOMLReader, schema: Schema?, base: String) -> KafkaSourceConfig? {
        defer { reader.finish() }
        let bootstrap = reader.string("bootstrap_servers", required: true)
        let topics = reader.stringArray("topics")
        if topics?.isEmpty ?? true { reader.diagnostics.report(reader.keyPath("topics"), "is required: at least one topic, e.g. topics = [\"visits\"]") }
        guard let bootstrap, let topics, !topics.isEmpty else { return nil }
        var config = KafkaSourceConfig(bootstrapServers: bootstrap, topics: topics)
        if let text = reader.string("starting_offsets") {
            if let offsets = startingOffsets(text, topics: topics, reader: reader) { config.startingOffsets = offsets }
        }
        config.maxOffsetsPerTrigger = reader.int("max_offsets_per_trigger", min: 1)
        if let value = reader.int("min_offsets_per_trigger", min: 0) { config.minOffsetsPerTrigger = value }
        if let value = reader.duration("max_trigger_delay") { config.maxTriggerDelay = value }
        if let value = reader.bool("fail_on_data_loss") { config.failOnDataLoss = value }
        if let value = reader.duration("read_timeout") { config.readTimeout = value }
        if let value = reader.textTable("librdkafka") { config.librdkafka = value }
        if let value = reader.table("mapping").flatMap({ mapping($0, schema: schema) }) { config.mapping = value }
        if let embedded = reader.table("embedded") {
            if let value = embedded.int("partitions", min: 1) { config.embeddedPartitions = Int(value) }
            if let value = embedded.stringArray("load") { config.embeddedLoad = value.map { ConfigLoader.resolve($0, base) } }
            embedded.finish()
        }
        if let max = config.maxOffsetsPerTrigger, config.minOffsetsPerTrigger > max {
            reader.diagnostics.report(reader.keyPath("min_offsets_per_trigger"), "is larger than max_offsets_per_trigger (\(max)); no batch could ever start")
        }
        return config
    }

    static func files(_ reader: TOMLReader, schema: Schema?, base: String) -> FileSourceConfig? {
        defer { reader.finish() }
        guard let path = reader.string("path", required: true).map({ ConfigLoader.resolve($0, base) }) else { return nil }
        var config = FileSourceConfig(path: path)
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) || !isFolder.boolValue {
            reader.diagnostics.report(reader.keyPath("path"), "input folder \(path) does not exist; create it (mkdir -p \(path)) or fix the path")
        }
        if let value = reader.string("pattern") { config.pattern = value }
        if reader.has("max_files_per_trigger") { config.maxFilesPerTrigger = reader.int("max_files_per_trigger", min: 1).map(Int.init) }
        config.maxBytesPerTrigger = reader.bytes("max_bytes_per_trigger")
        if let value = config.maxBytesPerTrigger, value < 1 {
            reader.diagnostics.report(reader.keyPath("max_bytes_per_trigger"), "must be at least 1 byte")
        }
        if let value = reader.duration("min_file_age") { config.minFileAge = value }
        if let value = reader.bool("latest_first") { config.latestFirst = value }
        if reader.has("max_file_age") {
            let text = reader.string("max_file_age")
            config.maxFileAge = text == "off" ? nil : reader.duration("max_file_age")
        }
        let archive = reader.string("archive_dir").map { ConfigLoader.resolve($0, base) }
        switch reader.string("clean_source") ?? "off" {
        case "off": config.cleanSource = .off
        case "delete": config.cleanSource = .delete
        case "archive":
            if let archive {
                config.cleanSource = .archive(archive)
            } else {
                reader.diagnostics.report(reader.keyPath("archive_dir"), "is required when clean_source = \"archive\"")
            }
        case let other:
            reader.diagnostics.report(reader.keyPath("clean_source"), "'\(other)' is not one of \"off\", \"archive\", \"delete\"")
        }
        if let value = reader.table("mapping").flatMap({ mapping($0, schema: schema) }) { config.mapping = value }
        return config
    }

    /// `mapping = { field = "json.path" | "@metadata" }`.
    static func mapping(_ reader: TOMLReader, schema: Schema?) -> [String: FieldOrigin]? {
        defer { reader.finish() }
        var result: [String: FieldOrigin] = [:]
        for (field, value) in reader.table {
            let key = reader.keyPath(field)
            guard let text = reader.string(field) else { continue }
            if let schema, !schema.fields.contains(where: { $0.name == field }) {
                reader.diagnostics.report(key, "'\(field)' is not a schema field")
                continue
            }
            _ = value
            if text.hasPrefix("@") {
                guard let metadata = RecordMetadata(rawValue: String(text.dropFirst())) else {
                    let known = RecordMetadata.allCases.map { "@\($0.rawValue)" }.joined(separator: ", ")
                    reader.diagnostics.report(key, "unknown metadata '\(text)'; use one of \(known)")
                    continue
                }
                result[field] = .metadata(metadata)
            } else {
                let path = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard !path.contains(where: \.isEmpty) else {
                    reader.diagnostics.report(key, "'\(text)' is not a JSON path; write it like \"user.id\"")
                    continue
                }
                result[field] = .json(path)
            }
        }
        return result
    }

    private static func startingOffsets(_ text: String, topics: [String], reader: TOMLReader) -> StartingOffsets? {
        switch text {
        case "earliest": return .earliest
        case "latest": return .latest
        default: break
        }
        let key = reader.keyPath("starting_offsets")
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            reader.diagnostics.report(key, "'\(text)' is not \"earliest\", \"latest\" or JSON like {\"visits\":{\"0\":42,\"1\":-2}}")
            return nil
        }
        var result: [String: [Int32: Int64]] = [:]
        for (topic, value) in object {
            guard topics.contains(topic), let partitions = value as? [String: Any] else {
                reader.diagnostics.report(key, "topic '\(topic)' is not in topics, or its value is not an object of partition → offset")
                continue
            }
            for (partition, offset) in partitions {
                guard let number = Int32(partition), let offset = (offset as? NSNumber)?.int64Value, offset >= -2 else {
                    reader.diagnostics.report(key, "\(topic) partition '\(partition)': expected a partition number and an offset (or -2 earliest, -1 latest)")
                    continue
                }
                result[topic, default: [:]][number] = offset
            }
        }
        return .specific(result)
    }
}
