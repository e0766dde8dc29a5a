/// The write-ahead log of a micro-batch query: `offsets/<N>` is written and synced before batch N runs and
/// `commits/<N>` after its outputs are durable, each as readable JSON. See `recoveryState()` for restarts.
///
/// The store keeps no state in memory, so it is safe to share; callers hold a `CheckpointLock` while writing.
public final class CheckpointStore: Sendable {
    /// The checkpoint folder.
    public let directory: String
    /// The identity and format version of the checkpoint.
    public let metadata: CheckpointMetadata

    /// Opens the checkpoint at `directory`, creating its folders (mode 0700) and `metadata` if missing.
    /// Does not take the lock. Throws `.unsupportedVersion` or `.corrupt` when `metadata` is not usable.
    public init(directory: String) throws {
        self.directory = directory
        try CheckpointFileSystem.makeDirectory(directory)
        for name in ["offsets", "commits", "sources", "progress"] {
            try CheckpointFileSystem.makeDirectory(CheckpointFileSystem.join(directory, name))
        }
        metadata = try CheckpointMetadata.loadOrCreate(at: CheckpointFileSystem.join(directory, "metadata"))
    }

    /// The folder of planned batches.
    public var offsetsDirectory: String { CheckpointFileSystem.join(directory, "offsets") }
    /// The folder of committed batches.
    public var commitsDirectory: String { CheckpointFileSystem.join(directory, "commits") }
    /// The folder of progress reports.
    public var progressDirectory: String { CheckpointFileSystem.join(directory, "progress") }
    /// The folder where sources keep their own state, one subfolder each (for example `files`).
    public var sourcesDirectory: String { CheckpointFileSystem.join(directory, "sources") }

    /// The file holding the plan of `batch`.
    public func offsetsPath(_ batch: Int64) -> String { CheckpointFileSystem.join(offsetsDirectory, String(batch)) }
    /// The file marking `batch` as committed.
    public func commitPath(_ batch: Int64) -> String { CheckpointFileSystem.join(commitsDirectory, String(batch)) }

    /// Durably records the plan of `batch`. It must be the next batch (`recoveryState().nextBatch`);
    /// rewriting the plan of the uncommitted batch is allowed.
    public func writeOffsets<T: Encodable>(_ batch: Int64, _ entry: T) throws {
        let path = try validated(batch, offsetsPath(batch))
        let expected = try recoveryState().nextBatch
        guard batch == expected else {
            throw outOfOrder(path, "cannot plan batch \(batch): the next batch to plan is \(expected)")
        }
        try AtomicFile.write(CheckpointJSON.encode(entry, for: path), to: path)
    }

    /// Reads the plan of `batch`; throws `.notFound` if there is none and `.corrupt` if it does not decode.
    public func readOffsets<T: Decodable>(_ batch: Int64, as type: T.Type = T.self) throws -> T {
        let path = try validated(batch, offsetsPath(batch))
        return try CheckpointJSON.decode(AtomicFile.read(path), as: type, from: path)
    }

    /// Durably marks `batch` as committed. It must be the planned, uncommitted batch.
    public func writeCommit<T: Encodable>(_ batch: Int64, _ entry: T) throws {
        let path = try validated(batch, commitPath(batch))
        guard case .uncommitted(batch, _) = try recoveryState() else {
            throw outOfOrder(path, "cannot commit batch \(batch): it is not the planned, uncommitted batch "
                + "(\(offsetsPath(batch)) must exist and \(path) must not)")
        }
        try AtomicFile.write(CheckpointJSON.encode(entry, for: path), to: path)
    }

    /// Reads the commit entry of `batch`; throws `.notFound` if there is none and `.corrupt` if it does not decode.
    public func readCommit<T: Decodable>(_ batch: Int64, as type: T.Type = T.self) throws -> T {
        let path = try validated(batch, commitPath(batch))
        return try CheckpointJSON.decode(AtomicFile.read(path), as: type, from: path)
    }

    func validated(_ batch: Int64, _ path: @autoclosure () -> String) throws -> String {
        guard batch >= 0 else {
            throw CheckpointError.invalid(directory, "batch id \(batch) is negative; batch ids start at 0")
        }
        return path()
    }

    func outOfOrder(_ path: String, _ message: String) -> CheckpointError {
        CheckpointError(code: .outOfOrder, path: path, message: message)
    }
}
