import Foundation
import TOMLKit

/// Reads a TOML configuration file into a `TributaryConfig`, reporting every problem at once
/// with its key path and a hint.
public enum ConfigLoader {
    /// Loads and validates `file`. `environment` supplies `${NAME}` values.
    public static func load(
        file: String,
        environment: [String: String]? = nil
    ) throws -> TributaryConfig {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let bytes = try? AtomicFile.read(file) else {
            throw ConfigError(file: file, problems: [.init(key: "", message: "cannot read the file; check the path given to --config and its permissions")])
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: file, environment: environment)
    }

    /// Parses configuration text; `file` names it in messages and anchors relative paths.
    public static func parse(_ text: String, file: String, environment: [String: String] = [:]) throws -> TributaryConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let at = error.source.begin
            throw ConfigError(file: file, problems: [.init(key: "", message: "TOML syntax error at line \(at.line), column \(at.column): \(error.description)")])
        }
        let diagnostics = ConfigDiagnostics(environment: environment)
        let root = TOMLReader(table, path: "", diagnostics: diagnostics)
        let base = (file as NSString).deletingLastPathComponent
        let config = read(root, base: base, file: file)
        root.finish()
        guard diagnostics.problems.isEmpty, var config else {
            throw ConfigError(file: file, problems: diagnostics.problems)
        }
        config.secrets = diagnostics.secrets
        // Expressions are type-checked here too, so every command (run, validate, replay)
        // rejects a broken transform before it starts.
        _ = try TransformChain.compile(config)
        return config
    }

    private static func read(_ root: TOMLReader, base: String, file: String) -> TributaryConfig? {
        let checkpointDir = root.string("checkpoint_dir", required: true).map { resolve($0, base) }
        let deadLetterDir = root.string("dead_letter_dir", required: true).map { resolve($0, base) }
        let trigger = readTrigger(root)
        let maxRecordBytes = root.bytes("max_record_bytes")
        if let maxRecordBytes, maxRecordBytes < 2 || maxRecordBytes > 1 << 31 {
            root.diagnostics.report("max_record_bytes", "must be between 2 bytes and 2GiB, got \(maxRecordBytes)")
        }
        let retain = root.int("retain_batches", min: 1)
        let schema = root.table("schema").flatMap { SchemaConfigReader.read($0) }
        if !root.has("schema") { root.diagnostics.report("schema", "is required: declare the common schema's fields") }

        var kafka: KafkaSourceConfig?
        var files: FileSourceConfig?
        if let sources = root.table("source") {
            if let reader = sources.table("kafka") { kafka = SourceConfigReader.kafka(reader, schema: schema, base: base) }
            if let reader = sources.table("files") { files = SourceConfigReader.files(reader, schema: schema, base: base) }
            sources.finish()
        }
        if kafka == nil && files == nil && !root.diagnostics.problems.contains(where: { $0.key.hasPrefix("source") }) {
            root.diagnostics.report("source", "no source: add [source.kafka], [source.files] or both")
        }
        let shutdownTimeout = root.duration("shutdown_timeout")
        let stallTimeout = root.duration("stall_timeout")
        let logLevel = root.string("log_level")
        if let logLevel, !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            root.diagnostics.report("log_level", "'\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        let fileMode = readFileMode(root)
        var httpListen: String?
        if let http = root.table("http") {
            // Loopback unless a host is written out: the endpoint has no authentication.
            httpListen = http.string("listen") ?? HTTPAddress.defaultListen
            if let listen = httpListen, HTTPAddress(listen) == nil {
                let hint = listen.hasPrefix(":") ? "; write \"0.0.0.0\(listen)\" to listen on every interface, or \"\(listen.dropFirst())\" for loopback only" : ", e.g. \"127.0.0.1:9464\", or a port alone for loopback"
                http.diagnostics.report(http.keyPath("listen"), "'\(listen)' is not HOST:PORT\(hint)")
            }
            http.finish()
        }
        let sinks = SinkConfigReader.read(root, schema: schema, base: base)
        let transforms = TransformConfigReader.read(root)
        var unrouted: UnroutedPolicy?
        if let text = root.string("unrouted") {
            unrouted = UnroutedPolicy(rawValue: text)
            if unrouted == nil { root.diagnostics.report("unrouted", "'\(text)' is not \"drop\" or \"dead-letter\"") }
        }

        guard let checkpointDir, let deadLetterDir, let schema else { return nil }
        var config = TributaryConfig(checkpointDir: checkpointDir, deadLetterDir: deadLetterDir, schema: schema, sinks: sinks)
        config.file = file
        if let trigger { config.trigger = trigger }
        if let maxRecordBytes { config.maxRecordBytes = Int(maxRecordBytes) }
        if let retain { config.retainBatches = Int(retain) }
        config.kafka = kafka
        config.files = files
        config.transforms = transforms
        if let shutdownTimeout { config.shutdownTimeout = shutdownTimeout }
        if let stallTimeout { config.stallTimeout = stallTimeout }
        config.httpListen = httpListen
        if let fileMode { config.fileMode = fileMode }
        config.logLevel = logLevel
        if let unrouted { config.unrouted = unrouted }
        return config
    }

    private static func readFileMode(_ root: TOMLReader) -> UInt32? {
        guard let text = root.string("file_mode") else { return nil }
        switch ConfigValues.fileMode(text) {
        case .success(let mode):
            return mode
        case .failure(let problem):
            let why: String
            switch problem {
            case .notOctal: why = "is not an octal mode; write it as a string of octal digits, e.g. \"0640\""
            case .specialBits: why = "sets setuid, setgid or sticky bits; use plain permission bits, e.g. \"0640\""
            case .worldWritable: why = "lets every user write the files; drop the last digit's 2, e.g. \"0640\" or \"0644\""
            case .ownerCannotReadWrite: why = "must let the owner read and write (6 as the owner digit), e.g. \"0640\""
            }
            root.diagnostics.report("file_mode", "'\(text)' \(why)")
            return nil
        }
    }

    private static func readTrigger(_ root: TOMLReader) -> Trigger? {
        guard let text = root.string("trigger") else { return nil }
        switch text {
        case "available-now": return .availableNow
        case "once": return .once
        default:
            guard let interval = ConfigValues.duration(text) else {
                root.diagnostics.report("trigger", "'\(text)' is not a trigger; use an interval like \"5s\", or \"available-now\", or \"once\"")
                return nil
            }
            return .interval(interval)
        }
    }

    /// Paths in a config file are relative to the file's folder.
    static func resolve(_ path: String, _ base: String) -> String {
        let folder = URL(fileURLWithPath: base.isEmpty ? "." : base, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: folder).standardizedFileURL.path
    }
}
