import Foundation

/// The figures of one progress report (`progress/N`): rows per source and durations.
public struct ProgressSummary: Sendable {
    /// Rows of one source (or of all): read = written + filtered + dead-lettered.
    public struct Rows: Sendable, Equatable, Decodable {
        public var read = 0
        public var written = 0
        public var filtered = 0
        public var deadLettered = 0

        enum CodingKeys: String, CodingKey {
            case read = "rows_read"
            case written = "rows_written"
            case filtered = "rows_filtered"
            case deadLettered = "rows_dead_lettered"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            read = try container.decodeIfPresent(Int.self, forKey: .read) ?? 0
            written = try container.decodeIfPresent(Int.self, forKey: .written) ?? 0
            filtered = try container.decodeIfPresent(Int.self, forKey: .filtered) ?? 0
            deadLettered = try container.decodeIfPresent(Int.self, forKey: .deadLettered) ?? 0
        }
    }

    /// The order the engine measures the phases of a batch in.
    public static let phases = ProgressReport.phases

    public var batch: Int64
    public var batchTime: String?
    public var total: Rows
    /// Per source ("kafka", "files"), sorted by name.
    public var sources: [(name: String, rows: Rows)]
    /// Offsets still to read after the batch, when the report has Kafka.
    public var kafkaLag: Int64?
    /// Milliseconds per phase, in `phases` order, then any other phase by name.
    public var durationsMs: [(phase: String, milliseconds: Double)]
    /// The file the report was read from.
    public var path: String
    /// The report as stored (one JSON object).
    public var json: [UInt8]

    /// Decodes a stored report; throws a `CheckpointError` naming `path` when it does not fit.
    init(json: [UInt8], path: String) throws {
        let record = try CheckpointJSON.decode(json, as: Record.self, from: path)
        batch = record.batch
        batchTime = record.batchTime
        total = record.total
        sources = (record.sources ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.rows) }
        kafkaLag = record.sources?["kafka"]?.lag
        let durations = record.durations ?? [:]
        var ordered: [(phase: String, milliseconds: Double)] = []
        for phase in Self.phases {
            if let milliseconds = durations[phase] { ordered.append((phase, milliseconds)) }
        }
        for (phase, milliseconds) in durations.sorted(by: { $0.key < $1.key }) where !Self.phases.contains(phase) {
            ordered.append((phase, milliseconds))
        }
        durationsMs = ordered
        self.path = path
        self.json = json
    }

    private struct Record: Decodable {
        var batch: Int64
        var batchTime: String?
        var total: Rows
        var sources: [String: Source]?
        var durations: [String: Double]?

        enum CodingKeys: String, CodingKey {
            case batch, sources
            case batchTime = "batch_time"
            case durations = "durations_ms"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            batch = try container.decode(Int64.self, forKey: .batch)
            batchTime = try container.decodeIfPresent(String.self, forKey: .batchTime)
            sources = try container.decodeIfPresent([String: Source].self, forKey: .sources)
            durations = try container.decodeIfPresent([String: Double].self, forKey: .durations)
            total = try Rows(from: decoder)
        }
    }

    private struct Source: Decodable {
        var rows: Rows
        var lag: Int64?

        enum CodingKeys: String, CodingKey { case lag }

        init(from decoder: any Decoder) throws {
            rows = try Rows(from: decoder)
            lag = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int64.self, forKey: .lag)
        }
    }
}
