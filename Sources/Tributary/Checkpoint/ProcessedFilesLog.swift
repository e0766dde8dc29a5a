import Glibc
import Synchronization

/// The file source's durable memory of which files, and which byte ranges of them, were taken into batches.
///
/// It lives in one folder (normally `<checkpoint>/sources/files`) as two files of JSON lines:
/// `snapshot` (the compacted state: a header line, then one line per file) and `log` (a header line, then one
/// line per `TakenFile` appended since the snapshot). Both header lines carry a generation number that
/// compaction increments, so a crash between rewriting the snapshot and emptying the log is detected and
/// the old log is not replayed. Lookups are dictionary lookups in memory.
public final class ProcessedFilesLog: Sendable {
    /// The folder holding `snapshot` and `log`.
    public let directory: String
    /// The append-only log of `TakenFile` lines.
    public let logPath: String
    /// The compacted state.
    public let snapshotPath: String
    /// Repairs made while loading (a torn last log line, an interrupted compaction finished), for the
    /// caller to log; empty when none were needed.
    public let repairs: [String]
    let guarded: Mutex<State>

    /// Loads the snapshot and replays the log of the folder `directory`, creating it if missing. A torn last
    /// log line is removed and reported in `repairs`; any other damage throws `.corrupt` naming file and line.
    public init(directory: String) throws {
        try CheckpointFileSystem.makeDirectory(directory)
        self.directory = directory
        logPath = CheckpointFileSystem.join(directory, "log")
        snapshotPath = CheckpointFileSystem.join(directory, "snapshot")
        let loaded = try Self.load(snapshotPath: snapshotPath, logPath: logPath)
        repairs = loaded.repairs
        guarded = Mutex(loaded.state)
    }

    deinit {
        guarded.withLock { state in
            if state.logDescriptor >= 0 { close(state.logDescriptor) }
        }
    }

    /// What has been taken of the file at `path`, or nil if nothing was.
    public func state(of path: String) -> FileState? {
        guarded.withLock { $0.files[path] }
    }

    /// The number of files remembered.
    public var count: Int {
        guarded.withLock { $0.files.count }
    }

    /// Records appended since the last compaction, so the caller can compact every so often.
    public var entriesSinceCompaction: Int {
        guarded.withLock { $0.entriesSinceCompaction }
    }

    /// Durably records `entries`: one write of their JSON lines to `log`, then fsync. The in-memory state
    /// changes only after the records are on disk.
    public func append(_ entries: [TakenFile]) throws {
        guard !entries.isEmpty else { return }
        var encoder = ProcessedFilesLineEncoder()
        for entry in entries {
            if let problem = entry.problem {
                throw CheckpointError.invalid(logPath, "cannot record \(entry.path) as taken: \(problem)")
            }
            encoder.append(entry)
        }
        try guarded.withLock { state in
            try writeToLog(encoder.bytes, &state)
            for entry in entries { state.files[entry.path] = .merging(state.files[entry.path], entry) }
            state.entriesSinceCompaction += entries.count
        }
    }

    /// Rewrites `snapshot` with the current state, then replaces `log` with an empty one. With
    /// `cutoffMtimeNanos`, complete files modified before it are forgotten (the source's max file age).
    public func compact(olderThan cutoffMtimeNanos: Int64? = nil) throws {
        try guarded.withLock { state in
            let kept = cutoffMtimeNanos.map { cutoff in
                state.files.filter { !($0.value.complete && $0.value.mtimeNanos < cutoff) }
            } ?? state.files
            let generation = state.generation + 1
            try AtomicFile.write(ProcessedFilesLineEncoder.snapshot(kept, generation: generation), to: snapshotPath)
            // From here the snapshot is authoritative: the old log must never receive another line.
            state.files = kept
            state.generation = generation
            state.entriesSinceCompaction = 0
            state.logNeedsReset = true
            try resetLog(&state)
        }
    }

    struct State {
        var files: [String: FileState] = [:]
        /// The generation of the snapshot; the log in use has the same one.
        var generation: Int64 = 0
        var entriesSinceCompaction = 0
        var logDescriptor: Int32 = -1
        /// The log's length after the last durable append, to cut a failed append back to.
        var logSize: Int64 = 0
        /// Set after a compaction whose log replacement has not completed yet.
        var logNeedsReset = false
        /// Set when a failed append could not be cut back; appends throw it until a compaction succeeds.
        var failure: CheckpointError?
    }
}
