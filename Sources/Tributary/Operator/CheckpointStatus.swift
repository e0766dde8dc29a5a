/// Where a checkpoint stands, as read by `CheckpointReader.status(directory:)` without taking
/// the lock: the last committed batch, the batch in flight, what the files log holds and the
/// last progress report.
public struct CheckpointStatus: Sendable {
    /// A committed batch: its plan (`offsets/N`) and its commit (`commits/N`).
    public struct CommittedBatch: Sendable {
        public var plan: BatchPlan
        public var commit: BatchCommit
    }

    /// The checkpoint folder.
    public var directory: String
    /// `metadata`: the checkpoint's id and format version.
    public var metadata: CheckpointMetadata
    /// The highest committed batch, nil before the first commit.
    public var lastCommitted: CommittedBatch?
    /// A batch planned (`offsets/N`) but not committed (no `commits/N`): running now, or
    /// interrupted and re-run at the next start.
    public var inFlight: BatchPlan?
    /// What the file source has taken (`sources/files`), nil when the checkpoint has none.
    public var filesLog: FilesLogView?
    /// The highest progress report (`progress/N`), nil when there is none.
    public var progress: ProgressSummary?
    /// Things worth knowing that do not prevent reading: a torn last line of the files log,
    /// an unreadable progress report.
    public var notes: [String] = []

    /// Each partition's next offset after the last committed batch, in topic and partition
    /// order: the `end` of the committed plan's Kafka ranges.
    public var committedOffsets: [BatchPlan.KafkaRange] {
        (lastCommitted?.plan.kafka ?? []).sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}
