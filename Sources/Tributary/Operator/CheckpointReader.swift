/// Reads a checkpoint folder without taking its lock and without writing anything, so that it
/// can be used while the pipeline runs: every file is written atomically, so each read sees a
/// whole old or whole new version. The only partial data possible is the last line of the
/// files log while it is being appended, which is left out (and reported in `notes`).
public enum CheckpointReader {
    /// Reads where the checkpoint at `directory` stands. Throws a `CheckpointError` naming the
    /// file and what to do when the folder is not a checkpoint or a file in it is damaged.
    public static func status(directory: String) throws -> CheckpointStatus {
        guard try CheckpointFileSystem.exists(directory) else {
            throw CheckpointError(code: .notFound, path: directory, message: "checkpoint folder \(directory) does not exist; "
                + "check the path given to --checkpoint (or checkpoint_dir), or run the pipeline once to create it")
        }
        let metadataPath = CheckpointFileSystem.join(directory, "metadata")
        guard try CheckpointFileSystem.exists(metadataPath) else {
            throw CheckpointError(code: .notFound, path: metadataPath, message: "\(metadataPath) does not exist, so \(directory) "
                + "is not a Tributary checkpoint; check the path given to --checkpoint (or checkpoint_dir)")
        }
        var status = CheckpointStatus(directory: directory, metadata: try metadata(at: metadataPath))
        // Plans first, then commits: a batch committing in between then shows as committed,
        // never as a commit whose plan was not seen.
        let planned = try batchIDs(in: CheckpointFileSystem.join(directory, "offsets"))
        let committed = try batchIDs(in: CheckpointFileSystem.join(directory, "commits"))
        if let last = committed.last {
            let plan = try read(BatchPlan.self, directory, "offsets", last, missing: "batch \(last) is committed but its plan is missing")
            let commit = try read(BatchCommit.self, directory, "commits", last, missing: "the file vanished while it was read")
            status.lastCommitted = CheckpointStatus.CommittedBatch(plan: plan, commit: commit)
        }
        if let last = planned.last, last > committed.last ?? -1 {
            guard last == (committed.last ?? -1) + 1 else {
                let path = CheckpointFileSystem.join(CheckpointFileSystem.join(directory, "offsets"), String(last))
                throw CheckpointError.corrupt(path, "batch \(last) is planned but the last committed batch is "
                    + (committed.last.map { String($0) } ?? "none") + "; a plan may be at most one batch ahead of the last commit")
            }
            status.inFlight = try read(BatchPlan.self, directory, "offsets", last, missing: "the file vanished while it was read")
        }
        let filesFolder = CheckpointFileSystem.join(CheckpointFileSystem.join(directory, "sources"), "files")
        if try CheckpointFileSystem.exists(filesFolder) {
            var view = try filesLog(folder: filesFolder, notes: &status.notes)
            // The log is appended after the commit: a crash in between leaves it one batch
            // behind, which the next start repairs from the commit. Show it as it will be.
            if let last = status.lastCommitted {
                for result in last.commit.files {
                    let entry = TakenFile(path: result.path, size: result.size, mtimeNanos: result.mtimeNanos, batch: last.commit.batch,
                                          rangeStart: result.start, rangeEnd: result.endOffset, complete: result.complete, lines: result.linesTaken)
                    view.files[entry.path] = .merging(view.files[entry.path], entry)
                }
            }
            status.filesLog = view
        }
        status.progress = progress(directory: directory, notes: &status.notes)
        return status
    }

    /// Reads and checks `metadata`.
    static func metadata(at path: String) throws -> CheckpointMetadata {
        let bytes = try AtomicFile.read(path)
        let version = try CheckpointJSON.decode(bytes, as: VersionProbe.self, from: path).version
        guard version == CheckpointMetadata.currentVersion else {
            throw CheckpointError(code: .unsupportedVersion, path: path, message: "checkpoint file \(path) has format version "
                + "\(version) but this Tributary reads version \(CheckpointMetadata.currentVersion); use the Tributary release that wrote it")
        }
        return try CheckpointJSON.decode(bytes, as: CheckpointMetadata.self, from: path)
    }

    private struct VersionProbe: Decodable {
        var version: Int
    }

    private static func read<T: Decodable>(_ type: T.Type, _ directory: String, _ kind: String, _ batch: Int64, missing: String) throws -> T {
        let path = CheckpointFileSystem.join(CheckpointFileSystem.join(directory, kind), String(batch))
        do {
            return try CheckpointJSON.decode(AtomicFile.read(path), as: type, from: path)
        } catch let error as CheckpointError where error.code == .notFound {
            throw CheckpointError.corrupt(path, missing)
        }
    }

    /// Batch ids of the files in `folder`, ascending; a missing folder has none. Dot files
    /// (temporary files) are skipped; other names that are not batch ids are an error.
    static func batchIDs(in folder: String) throws -> [Int64] {
        guard try CheckpointFileSystem.exists(folder) else { return [] }
        var ids: [Int64] = []
        for name in try CheckpointFileSystem.listNames(folder) where !name.hasPrefix(".") {
            guard name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let id = Int64(name), String(id) == name else {
                let path = CheckpointFileSystem.join(folder, name)
                throw CheckpointError(code: .corrupt, path: path, message: "unexpected file \(path) in the checkpoint: files in \(folder) "
                    + "must be named by a decimal batch id; move it out of the checkpoint folder")
            }
            ids.append(id)
        }
        return ids.sorted()
    }

    /// The highest progress report; an unreadable one is a note, not an error (the engine
    /// writes reports on a best-effort basis).
    private static func progress(directory: String, notes: inout [String]) -> ProgressSummary? {
        let folder = CheckpointFileSystem.join(directory, "progress")
        guard let last = try? batchIDs(in: folder).last else { return nil }
        let path = CheckpointFileSystem.join(folder, String(last))
        do {
            return try ProgressSummary(json: AtomicFile.read(path), path: path)
        } catch {
            notes.append("the progress report \(path) cannot be read; it is informational only, and the next batch writes a new one")
            return nil
        }
    }
}
