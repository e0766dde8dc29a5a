/// The pipeline configuration most command-line tests run: the visits schema, folders
/// relative to the configuration file, a file sink into `output`.
enum TestPipeline {
    /// The input folder source, taking files at once.
    static let filesSource = """
        [source.files]
        path = "incoming"
        min_file_age = "0s"
        """

    /// The `visits` topic of the broker at `bootstrap`, its `id` and `ts` mapped to the schema,
    /// with a short read timeout so an outage shows within a second.
    static func kafkaSource(bootstrap: String) -> String {
        """
        [source.kafka]
        bootstrap_servers = "\(bootstrap)"
        topics = ["visits"]
        read_timeout = "1s"
        [source.kafka.mapping]
        visit_id = "id"
        event_time = "ts"
        """
    }

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
