/// The whole configuration of one pipeline, as read from its TOML file. Plain values with
/// documented defaults; `ConfigLoader` fills and validates them.
public struct TributaryConfig: Sendable {
    /// Where the write-ahead checkpoint lives (`checkpoint_dir`, required).
    public var checkpointDir: String
    /// Where rejected records go (`dead_letter_dir`, required).
    public var deadLetterDir: String
    /// When batches run (`trigger`, default "5s").
    public var trigger: Trigger = .interval(.seconds(5))
    /// The longest record accepted (`max_record_bytes`, default 1 MiB); longer ones are
    /// dead-lettered by reference without being loaded.
    public var maxRecordBytes: Int = 1 << 20
    /// The common schema both sources map into (`[schema]`).
    public var schema: Schema
    /// The Kafka source (`[source.kafka]`), if any.
    public var kafka: KafkaSourceConfig?
    /// The folder source (`[source.files]`), if any.
    public var files: FileSourceConfig?
    /// The outputs (`[[sink]]` entries, or the short forms `[sink.files]`, `[sink.console]`).
    public var sinks: [SinkConfig]
    /// The transform chain (`[[transform]]`), in order.
    public var transforms: [TransformStep] = []
    /// `unrouted` (default "drop"): records no sink takes.
    public var unrouted: UnroutedPolicy = .drop
    /// How many batches' checkpoint files are kept (`retain_batches`, default 100).
    public var retainBatches: Int = 100
    /// How long a graceful stop waits for the batch in flight to commit before abandoning it
    /// (it then runs again at the next start) (`shutdown_timeout`, default 30s).
    public var shutdownTimeout: Duration = .seconds(30)
    /// How long the loop may stop moving, or keep failing, before `/healthz` says 503 and the
    /// systemd watchdog pings stop (`stall_timeout`, default 2m).
    public var stallTimeout: Duration = .seconds(120)
    /// `[http] listen`: where the metrics and status endpoint listens (nil: off).
    public var httpListen: String?
    /// `log_level`: the log level, unless `--log-level` is given (default info).
    public var logLevel: String?
    /// `file_mode` (default "0640"): the permission bits of output files, manifests and dead
    /// letters, applied exactly (the umask does not change them). Folders Tributary creates
    /// for them get the same bits plus search (x) wherever read is granted. Checkpoint files
    /// are always 0600 and checkpoint folders 0700.
    public var fileMode: UInt32 = 0o640
    /// Values that came from `${...}`: never printed.
    public var secrets: Set<String> = []
    /// The file this was read from.
    public var file: String = ""
}

extension TributaryConfig {
    /// The mode of folders made for output and dead-letter files: `fileMode`, plus x
    /// wherever r is granted (0640 → 0750, 0644 → 0755, 0600 → 0700).
    public var folderMode: UInt32 { fileMode | ((fileMode & 0o444) >> 2) }
}

/// When batches run.
public enum Trigger: Sendable, Hashable, CustomStringConvertible {
    /// A batch every interval (a batch that takes longer delays the next one).
    case interval(Duration)
    /// Drain what exists at start, in as many batches as the limits need, then exit.
    case availableNow
    /// One batch with everything available, ignoring the per-trigger limits, then exit.
    case once

    public var description: String {
        switch self {
        case .interval(let duration): return "every \(duration)"
        case .availableNow: return "available-now"
        case .once: return "once"
        }
    }
}

/// Where a schema field's value comes from in one source.
public enum FieldOrigin: Sendable, Hashable {
    /// A JSON path in the record, e.g. `["geo", "country"]`.
    case json([String])
    /// A metadata column of the record.
    case metadata(RecordMetadata)
}

/// The metadata a record carries besides its JSON, available to map into the schema as
/// `"@name"` in a source's `mapping` table.
public enum RecordMetadata: String, Sendable, Hashable, CaseIterable {
    /// "kafka" or "file".
    case origin
    case topic, partition, offset, key
    /// The Kafka record's timestamp.
    case timestamp
    /// The input file's path.
    case file
    /// The 1-based line number in the input file.
    case line
    /// The byte offset of the line in the input file.
    case byteOffset = "byte_offset"
}

/// `[source.kafka]`.
public struct KafkaSourceConfig: Sendable {
    /// `bootstrap_servers`; "embedded" starts the in-process broker.
    public var bootstrapServers: String
    /// `topics`, at least one.
    public var topics: [String]
    /// `starting_offsets`: where a partition with no checkpointed offset starts.
    public var startingOffsets: StartingOffsets = .earliest
    /// `max_offsets_per_trigger`: at most this many offsets per batch over all partitions
    /// (nil: no limit).
    public var maxOffsetsPerTrigger: Int64?
    /// `min_offsets_per_trigger`: wait for at least this many new offsets (default 0)...
    public var minOffsetsPerTrigger: Int64 = 0
    /// ...but no longer than `max_trigger_delay` (default 15m).
    public var maxTriggerDelay: Duration = .seconds(900)
    /// `fail_on_data_loss` (default true): stop when retention deleted unread offsets.
    public var failOnDataLoss = true
    /// `[source.kafka.librdkafka]`: librdkafka properties, verbatim.
    public var librdkafka: [String: String] = [:]
    /// `[source.kafka.mapping]`: schema field → where it comes from.
    public var mapping: [String: FieldOrigin] = [:]
    /// `[source.kafka.embedded]` `partitions` (default 3), for `bootstrap_servers = "embedded"`.
    public var embeddedPartitions = 3
    /// `[source.kafka.embedded]` `load`: JSON-lines files loaded into the first topic at start.
    public var embeddedLoad: [String] = []
    /// `read_timeout` (default 60s): how long one batch may wait for its planned records.
    public var readTimeout: Duration = .seconds(60)

    public var isEmbedded: Bool { bootstrapServers == "embedded" }
}

/// `starting_offsets`.
public enum StartingOffsets: Sendable, Hashable {
    case earliest
    case latest
    /// Per topic, per partition: an offset, or -2 (earliest) / -1 (latest).
    case specific([String: [Int32: Int64]])
}

/// `[source.files]`.
public struct FileSourceConfig: Sendable {
    /// `path`: the folder watched.
    public var path: String
    /// `pattern` (default "*.json*"): a glob on file names.
    public var pattern = "*.json*"
    /// `max_files_per_trigger` (default 1).
    public var maxFilesPerTrigger: Int? = 1
    /// `max_bytes_per_trigger` (default none): a larger file is split across batches.
    public var maxBytesPerTrigger: Int64?
    /// `min_file_age` (default 5s): younger files may still be being written.
    public var minFileAge: Duration = .seconds(5)
    /// `latest_first` (default false): newest files first.
    public var latestFirst = false
    /// `max_file_age` (default 7d): older files are ignored, and forgotten by the log.
    public var maxFileAge: Duration? = .seconds(7 * 86_400)
    /// `clean_source`: what to do with fully consumed files after their batch commits.
    public var cleanSource: CleanSource = .off
    /// `[source.files.mapping]`.
    public var mapping: [String: FieldOrigin] = [:]
}

/// `clean_source` (+ `archive_dir`).
public enum CleanSource: Sendable, Hashable {
    case off
    case delete
    case archive(String)
}

/// One output: where records go, and which records (`when`).
public struct SinkConfig: Sendable {
    /// What kind of output.
    public enum Kind: Sendable {
        /// JSON lines under `path`, optionally in sub-folders by a field's value.
        case files(path: String, partitionBy: String?)
        /// JSON lines on stdout.
        case console
        /// JSON records produced to a Kafka topic.
        case kafka(KafkaSinkConfig)
    }

    /// A name for logs, metrics and dead letters: `name`, or the kind and position.
    public var name: String
    public var kind: Kind
    /// An expression: the sink takes the records for which it is true (all when nil).
    public var when: String?

    public init(name: String, kind: Kind, when: String? = nil) {
        self.name = name
        self.kind = kind
        self.when = when
    }
}

/// A Kafka output (`type = "kafka"`).
public struct KafkaSinkConfig: Sendable {
    /// `bootstrap_servers`; "embedded" uses the source's embedded broker.
    public var bootstrapServers: String
    public var topic: String
    /// An expression giving the record key (nil: no key).
    public var key: String?
    /// librdkafka producer properties, verbatim.
    public var librdkafka: [String: String] = [:]
    /// `[sink.embedded] partitions` (3): partitions of the topic created on the embedded broker.
    public var embeddedPartitions = 3
    /// How long a batch waits for its records' acknowledgements before it gives up what is
    /// still in flight and runs again. Not a configuration key: tests shorten it.
    var acknowledgementWait = Duration.seconds(60)
}

/// What happens to a record that no sink's `when` takes (`unrouted`).
public enum UnroutedPolicy: String, Sendable {
    /// Counted as filtered (`unrouted` in progress reports).
    case drop
    /// Sent to the dead letters with stage "sink".
    case deadLetter = "dead-letter"
}

/// One `[[transform]]` step.
public enum TransformStep: Sendable, Equatable {
    /// Keep records for which the expression is true.
    case filter(String)
    /// Add or overwrite fields, all computed from the record as it enters the step.
    case set([(field: String, expression: String)])
    /// Rename fields.
    case rename([(from: String, to: String)])
    /// Remove fields.
    case drop([String])
    /// Convert fields to another type.
    case cast([(field: String, type: FieldType)])
    /// Replace nulls with a literal.
    case defaults([(field: String, value: FieldValue)])
    /// Drop records whose key was seen within `within` (by batch time); the seen keys are
    /// kept in the checkpoint.
    case dedupe(keys: [String], within: Duration)

    public static func == (lhs: TransformStep, rhs: TransformStep) -> Bool {
        switch (lhs, rhs) {
        case let (.filter(a), .filter(b)): return a == b
        case let (.set(a), .set(b)): return a.map(\.field) == b.map(\.field) && a.map(\.expression) == b.map(\.expression)
        case let (.rename(a), .rename(b)): return a.map(\.from) == b.map(\.from) && a.map(\.to) == b.map(\.to)
        case let (.drop(a), .drop(b)): return a == b
        case let (.cast(a), .cast(b)): return a.map(\.field) == b.map(\.field) && a.map(\.type) == b.map(\.type)
        case let (.defaults(a), .defaults(b)): return a.map(\.field) == b.map(\.field) && a.map(\.value) == b.map(\.value)
        case let (.dedupe(a, x), .dedupe(b, y)): return a == b && x == y
        default: return false
        }
    }
}
