import Logging

/// The swift-log handler of the `tributary` command: one line per event on stderr, as text,
/// journal lines or JSON (`--log-format`).
struct TributaryLogHandler: LogHandler {
    /// The logger's label, shown on every line.
    let label: String
    /// A concrete format: `.auto` is resolved before handlers are made.
    let format: LogFormat
    /// Where lines go.
    let writer: LogWriter
    /// The clock, replaceable so that tests get exact lines.
    let clock: @Sendable () -> LogTimestamp

    /// Follows `levelControl` until set on this handler (value semantics, as swift-log asks).
    var logLevel: Logger.Level {
        get { ownLevel ?? levelControl.level }
        set { ownLevel = newValue }
    }
    /// The shared level, changed by a reload.
    let levelControl: LogLevelControl
    private var ownLevel: Logger.Level?
    /// Metadata on every line of this logger (`logger[metadataKey:]`).
    var metadata: Logger.Metadata = [:]
    /// Contextual metadata (task-locals), read for every line.
    var metadataProvider: Logger.MetadataProvider?

    /// A handler for `label` writing `format` lines to `writer`, at the level of
    /// `levelControl` and above.
    init(
        label: String,
        format: LogFormat,
        levelControl: LogLevelControl = .shared,
        writer: LogWriter = .standardError,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        clock: @escaping @Sendable () -> LogTimestamp = { LogTimestamp.now() }
    ) {
        self.label = label
        self.format = format
        self.levelControl = levelControl
        self.writer = writer
        self.metadataProvider = metadataProvider
        self.clock = clock
    }

    /// One entry of `metadata`.
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line; `Logger` has already checked the level.
    func log(event: LogEvent) {
        // Later sources win: the handler's own metadata, then the provider's, then the call's.
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { $1 }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { $1 }
        }
        if let error = event.error {
            merged["error"] = "\(error)"
        }
        // Before rendering, so that escaping cannot hide a secret from the replacement.
        let redaction = LogRedaction.shared
        writer.write(LogLine.render(
            format: format, time: clock(), level: event.level, label: label,
            message: redaction.redact(event.message.description), metadata: redaction.redact(merged)))
    }
}
