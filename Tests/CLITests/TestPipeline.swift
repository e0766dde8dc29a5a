/// The pipeline configuration most command-line tests run: the visits schema, folders
/// relative to the configuration file, a file sink into `output`.
enum TestPipeline {
    /// The input folder source, taking files at once.
    static let filesSource = """
        [source.files]
        path = "incoming"
        min_file_age = "0s"
        """

    /// `top` holds more top-level keys, `fields` more schema fields (one `{ ... },` a line),
    /// `sources` the `[source.*]` tables, `sink` the outputs.
    static func toml(
        trigger: String = "available-now", checkpoint: String = "checkpoint", top: String = "",
        fields: String = "", sources: String, sink: String = "[sink.files]\npath = \"output\""
    ) -> String {
        """
        checkpoint_dir = "\(checkpoint)"
        dead_letter_dir = "dead-letter"
        trigger = "\(trigger)"
        \(top)
        [schema]
        fields = [
          { name = "visit_id", type = "string", required = true },
          { name = "event_time", type = "timestamp", required = true },
          \(fields)
        ]
        \(sources)
        \(sink)
        """
    }
}
