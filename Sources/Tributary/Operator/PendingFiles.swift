/// The input files the file source has not finished yet.
public enum PendingFiles {
    /// Files in the source's folder matching its pattern (listed as the planner lists them)
    /// that the files log does not hold as complete, oldest first. Files taken completely and
    /// changed since are not included: the source never reads them again.
    public static func list(_ source: FileSourceConfig, log: FilesLogView?) throws -> [FileCandidate] {
        let candidates = try FileListing.list(folder: source.path, pattern: source.pattern)
        return candidates
            .filter { log?.files[$0.path]?.complete != true }
            .sorted { ($0.mtimeNanos, $0.name) < ($1.mtimeNanos, $1.name) }
    }
}
