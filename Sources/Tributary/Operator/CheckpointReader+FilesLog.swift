extension CheckpointReader {
    /// Loads `snapshot` and `log` of the files log in `folder` read-only. Unlike
    /// `ProcessedFilesLog`, it repairs nothing: a torn last log line (an append in progress,
    /// or one a crash interrupted) is left out and noted. A compaction running meanwhile is
    /// detected by the generations and the read is tried again.
    static func filesLog(folder: String, notes: inout [String]) throws -> FilesLogView {
        let snapshotPath = CheckpointFileSystem.join(folder, "snapshot")
        let logPath = CheckpointFileSystem.join(folder, "log")
        var attempt = 0
        while true {
            attempt += 1
            var attemptNotes: [String] = []
            var files: [String: ProcessedFilesLog.FileState] = [:]
            var generation: Int64 = 0
            if try CheckpointFileSystem.exists(snapshotPath) {
                generation = try loadSnapshot(snapshotPath, into: &files)
            }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(logPath)
            } catch let error as CheckpointError where error.code == .notFound {
                bytes = []
            }
            let logGeneration = try replayLog(bytes, logPath, snapshotGeneration: generation, into: &files, notes: &attemptNotes)
            if let logGeneration, logGeneration > generation {
                // The snapshot was read before a compaction replaced it and the log after.
                if attempt < 3 { continue }
                throw CheckpointError.corrupt(logPath, "its generation \(logGeneration) is newer than the generation "
                    + "\(generation) of \(snapshotPath); the snapshot is missing or was replaced by an older one")
            }
            notes += attemptNotes
            return FilesLogView(files: files)
        }
    }

    private static func loadSnapshot(_ path: String, into files: inout [String: ProcessedFilesLog.FileState]) throws -> Int64 {
        let bytes = try AtomicFile.read(path)
        return try bytes.withUnsafeBufferPointer { buffer in
            var lines = CheckpointLineCursor(buffer)
            guard let header = lines.next() else { throw CheckpointError.corrupt(path, "the file is empty") }
            let (generation, _) = try decode(header, path) { try ProcessedFilesLineDecoder.snapshotHeader(buffer, header.range) }
            while let line = lines.next() {
                let entry = try decode(line, path) { try ProcessedFilesLineDecoder.snapshotEntry(buffer, line.range) }
                files[entry.path] = entry.state
            }
            return generation
        }
    }

    /// Folds the log's lines into `files`; returns the log's generation, nil when the log is
    /// empty or missing. A log older than the snapshot is already part of it and is skipped.
    private static func replayLog(
        _ bytes: [UInt8], _ path: String, snapshotGeneration: Int64,
        into files: inout [String: ProcessedFilesLog.FileState], notes: inout [String]
    ) throws -> Int64? {
        try bytes.withUnsafeBufferPointer { buffer in
            var lines = CheckpointLineCursor(buffer)
            guard let header = lines.next() else { return nil }
            let generation = try decode(header, path) { try ProcessedFilesLineDecoder.logHeader(buffer, header.range) }
            guard generation == snapshotGeneration else { return generation }
            while let line = lines.next() {
                do {
                    guard line.terminated else { throw CheckpointJSONScanner.Failure(reason: "no newline at its end") }
                    let entry = try ProcessedFilesLineDecoder.takenFile(buffer, line.range)
                    files[entry.path] = .merging(files[entry.path], entry)
                } catch let failure as CheckpointJSONScanner.Failure {
                    guard line.isLast else { throw CheckpointError.corrupt(path, "line \(line.number): \(failure.reason)") }
                    notes.append("line \(line.number) of \(path) is incomplete (\(failure.reason)): an append in progress, "
                        + "or one a crash interrupted, which the pipeline repairs at its next start; it is left out here")
                }
            }
            return generation
        }
    }

    private static func decode<T>(_ line: CheckpointLineCursor.Line, _ path: String, _ body: () throws -> T) throws -> T {
        do {
            guard line.terminated else { throw CheckpointJSONScanner.Failure(reason: "no newline at its end") }
            return try body()
        } catch let failure as CheckpointJSONScanner.Failure {
            throw CheckpointError.corrupt(path, "line \(line.number): \(failure.reason)")
        }
    }
}
