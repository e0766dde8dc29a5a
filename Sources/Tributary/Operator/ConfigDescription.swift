import Foundation
import Kafka

/// The effective configuration of a pipeline as TOML-like text: every key with the value the
/// pipeline will use, defaults included, grouped by table. Values that came from `${...}`
/// (`config.secrets`) and secret librdkafka properties are shown as `***`.
///
/// A new configuration key is shown by adding one line to the function of its table.
public enum ConfigDescription {
    /// The text, one `key = value` line per key, tables separated by a blank line; keys
    /// without a value (an unset limit) are shown as comments saying what that means.
    public static func describe(_ config: TributaryConfig) -> String {
        var out = Writer(secrets: config.secrets.filter { !$0.isEmpty })
        out.string("checkpoint_dir", config.checkpointDir)
        out.string("dead_letter_dir", config.deadLetterDir)
        out.raw("trigger", quote(trigger(config.trigger)))
        out.raw("max_record_bytes", bytes(Int64(config.maxRecordBytes)))
        out.raw("retain_batches", String(config.retainBatches))
        out.string("unrouted", config.unrouted.rawValue)
        out.raw("shutdown_timeout", quote(duration(config.shutdownTimeout)))
        out.raw("stall_timeout", quote(duration(config.stallTimeout)))
        out.string("log_level", config.logLevel ?? "info")
        out.string("file_mode", "0" + String(config.fileMode, radix: 8))
        schema(config.schema, &out)
        if let kafka = config.kafka { kafkaSource(kafka, schema: config.schema, &out) }
        if let files = config.files { fileSource(files, schema: config.schema, &out) }
        for sink in config.sinks { self.sink(sink, &out) }
        for step in config.transforms { transform(step, &out) }
        if let listen = config.httpListen {
            out.table("[http]")
            out.string("listen", listen)
        } else {
            out.unset("http", "no [http] table: the metrics and status endpoint is off")
        }
        return out.text
    }

    // MARK: - Tables

    private static func schema(_ schema: Schema, _ out: inout Writer) {
        out.table("[schema]")
        out.line("fields = [")
        for field in schema.fields {
            out.line("  { name = \(quote(field.name)), type = \(quote(field.type.rawValue)), required = \(field.required) },")
        }
        out.line("]")
        if let index = schema.catchAllField, schema.fields.indices.contains(index) {
            out.string("catch_all", schema.fields[index].name)
        } else {
            out.unset("catch_all", "input keys no field maps are dropped")
        }
    }

    private static func kafkaSource(_ kafka: KafkaSourceConfig, schema: Schema, _ out: inout Writer) {
        out.table("[source.kafka]")
        out.string("bootstrap_servers", kafka.bootstrapServers)
        let topics = array(kafka.topics.map { out.masked($0) })
        out.raw("topics", topics)
        out.string("starting_offsets", startingOffsets(kafka.startingOffsets))
        if let max = kafka.maxOffsetsPerTrigger { out.raw("max_offsets_per_trigger", String(max)) } else { out.unset("max_offsets_per_trigger", "no limit") }
        out.raw("min_offsets_per_trigger", String(kafka.minOffsetsPerTrigger))
        out.raw("max_trigger_delay", quote(duration(kafka.maxTriggerDelay)))
        out.raw("fail_on_data_loss", String(kafka.failOnDataLoss))
        out.raw("read_timeout", quote(duration(kafka.readTimeout)))
        librdkafka("[source.kafka.librdkafka]", kafka.librdkafka, &out)
        mapping("[source.kafka.mapping]", kafka.mapping, schema: schema, &out)
        if kafka.isEmbedded {
            out.table("[source.kafka.embedded]")
            out.raw("partitions", String(kafka.embeddedPartitions))
            let load = array(kafka.embeddedLoad.map { out.masked($0) })
            out.raw("load", load)
        }
    }

    private static func fileSource(_ files: FileSourceConfig, schema: Schema, _ out: inout Writer) {
        out.table("[source.files]")
        out.string("path", files.path)
        out.string("pattern", files.pattern)
        if let max = files.maxFilesPerTrigger { out.raw("max_files_per_trigger", String(max)) } else { out.unset("max_files_per_trigger", "no limit") }
        if let max = files.maxBytesPerTrigger { out.raw("max_bytes_per_trigger", bytes(max)) } else { out.unset("max_bytes_per_trigger", "no limit; files are never split") }
        out.raw("min_file_age", quote(duration(files.minFileAge)))
        out.raw("latest_first", String(files.latestFirst))
        out.raw("max_file_age", quote(files.maxFileAge.map(duration) ?? "off"))
        switch files.cleanSource {
        case .off: out.string("clean_source", "off")
        case .delete: out.string("clean_source", "delete")
        case .archive(let folder):
            out.string("clean_source", "archive")
            out.string("archive_dir", folder)
        }
        mapping("[source.files.mapping]", files.mapping, schema: schema, &out)
    }

    private static func sink(_ sink: SinkConfig, _ out: inout Writer) {
        out.table("[[sink]]")
        out.string("name", sink.name)
        switch sink.kind {
        case let .files(path, partitionBy):
            out.string("type", "files")
            out.string("path", path)
            if let partitionBy { out.string("partition_by", partitionBy) } else { out.unset("partition_by", "one folder") }
        case .console:
            out.string("type", "console")
        case .kafka(let kafka):
            out.string("type", "kafka")
            out.string("bootstrap_servers", kafka.bootstrapServers)
            out.string("topic", kafka.topic)
            if let key = kafka.key { out.string("key", key) } else { out.unset("key", "records have no key") }
        }
        if let when = sink.when { out.string("when", when) } else { out.unset("when", "takes every record") }
        if case .kafka(let kafka) = sink.kind {
            librdkafka("[sink.librdkafka]", kafka.librdkafka, &out)
            if kafka.bootstrapServers == "embedded" {
                out.table("[sink.embedded]")
                out.raw("partitions", String(kafka.embeddedPartitions))
            }
        }
    }

    private static func transform(_ step: TransformStep, _ out: inout Writer) {
        out.table("[[transform]]")
        let writer = out
        let entry: (name: String, value: String)
        switch step {
        case .filter(let expression):
            entry = ("filter", quote(writer.masked(expression)))
        case .set(let assignments):
            entry = ("set", inlineTable(assignments.map { ($0.field, quote(writer.masked($0.expression))) }))
        case .rename(let renames):
            entry = ("rename", inlineTable(renames.map { ($0.from, quote($0.to)) }))
        case .drop(let fields):
            entry = ("drop", array(fields))
        case .cast(let casts):
            entry = ("cast", inlineTable(casts.map { ($0.field, quote($0.type.rawValue)) }))
        case .defaults(let defaults):
            entry = ("default", inlineTable(defaults.map { ($0.field, literal($0.value, writer)) }))
        case let .dedupe(keys, within):
            entry = ("dedupe", inlineTable([("key", array(keys)), ("within", quote(duration(within)))]))
        }
        out.raw(entry.name, entry.value)
    }

    private static func librdkafka(_ header: String, _ properties: [String: String], _ out: inout Writer) {
        guard !properties.isEmpty else { return }
        out.table(header)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let shown = KafkaConfiguration.isSecret(name) ? "***" : out.masked(value)
            out.raw(key(name), quote(shown))
        }
    }

    /// Every schema field the source fills: its explicit origin, or its own name.
    private static func mapping(_ header: String, _ mapping: [String: FieldOrigin], schema: Schema, _ out: inout Writer) {
        out.table(header)
        for (index, field) in schema.fields.enumerated() where index != schema.catchAllField {
            switch mapping[field.name] {
            case .json(let path)?: out.string(key(field.name), path.joined(separator: "."))
            case .metadata(let metadata)?: out.string(key(field.name), "@" + metadata.rawValue)
            case nil: out.raw(key(field.name), quote(field.name) + "    # default: the field's own name")
            }
        }
    }

    // MARK: - Values

    static func trigger(_ trigger: Trigger) -> String {
        switch trigger {
        case .interval(let interval): return duration(interval)
        case .availableNow: return "available-now"
        case .once: return "once"
        }
    }

    private static func startingOffsets(_ offsets: StartingOffsets) -> String {
        switch offsets {
        case .earliest: return "earliest"
        case .latest: return "latest"
        case .specific(let topics):
            let object = topics.mapValues { partitions in
                Dictionary(uniqueKeysWithValues: partitions.map { (String($0.key), $0.value) })
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// "250ms", "5s", "15m", "2h", "7d": the largest unit that divides the duration.
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where milliseconds > 0 && milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return milliseconds == 0 ? "0s" : "\(milliseconds)ms"
    }

    /// "64MB", "1MiB", or a plain number of bytes.
    static func bytes(_ count: Int64) -> String {
        let units: [(String, Int64)] = [("GiB", 1 << 30), ("GB", 1_000_000_000), ("MiB", 1 << 20), ("MB", 1_000_000), ("KiB", 1 << 10), ("KB", 1000)]
        for (unit, size) in units where count > 0 && count % size == 0 {
            return quote("\(count / size)\(unit)")
        }
        return String(count)
    }

    private static func literal(_ value: FieldValue, _ out: Writer) -> String {
        switch value {
        case .null: return "\"\""
        case .string(let text): return quote(out.masked(text))
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .timestamp(let micros): return quote(TimestampFormat.format(micros))
        case .json(let text): return quote(out.masked(text))
        case .text: return literal(value.materialized, out)
        }
    }

    private static func array(_ values: [String]) -> String {
        "[" + values.map(quote).joined(separator: ", ") + "]"
    }

    private static func inlineTable(_ entries: [(String, String)]) -> String {
        "{ " + entries.map { "\(key($0.0)) = \($0.1)" }.joined(separator: ", ") + " }"
    }

    /// A TOML key: bare when it can be, quoted otherwise ("sasl.password").
    private static func key(_ name: String) -> String {
        let bare = !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return bare ? name : quote(name)
    }

    /// A TOML basic string.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Collects the lines and masks secrets.
    private struct Writer {
        let secrets: Set<String>
        var text = ""

        /// `value`, or `***` when it holds a secret.
        func masked(_ value: String) -> String {
            secrets.contains { value.contains($0) } ? "***" : value
        }

        mutating func line(_ line: String) { text += line + "\n" }

        mutating func table(_ header: String) {
            text += "\n" + header + "\n"
        }

        mutating func raw(_ key: String, _ value: String) { line("\(key) = \(value)") }

        mutating func string(_ key: String, _ value: String) { raw(key, ConfigDescription.quote(masked(value))) }

        mutating func unset(_ key: String, _ meaning: String) { line("# \(key) is not set: \(meaning)") }
    }
}
