/// The files log (`sources/files/snapshot` and `log`) read without changing it.
public struct FilesLogView: Sendable {
    /// What has been taken of each file, by path.
    public var files: [String: ProcessedFilesLog.FileState]

    /// Files read to their end, by path.
    public var complete: [(path: String, state: ProcessedFilesLog.FileState)] {
        files.filter { $0.value.complete }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Files split across batches whose rest is still to be read, by path.
    public var inProgress: [(path: String, state: ProcessedFilesLog.FileState)] {
        files.filter { !$0.value.complete }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
