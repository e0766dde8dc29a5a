import Glibc

extension ProcessedFilesLog {
    enum LogFix {
        case keep
        /// Write a header-only log of the loaded generation.
        case recreate
        /// Cut a torn last line off.
        case truncate(to: Int)
    }

    struct Loaded {
        var state = State()
        var fix = LogFix.keep
        var repairs: [String] = []
    }

    static func load(snapshotPath: String, logPath: String) throws -> Loaded {
        var loaded = Loaded()
        let hasSnapshot = try CheckpointFileSystem.exists(snapshotPath)
        if hasSnapshot { try loadSnapshot(snapshotPath, into: &loaded.state) }
        if try CheckpointFileSystem.exists(logPath) {
            try replayLog(logPath, snapshotPath: snapshotPath, into: &loaded)
        } else if hasSnapshot {
            throw CheckpointError.corrupt(logPath, "the file is missing although \(snapshotPath) exists")
        } else {
            loaded.fix = .recreate
        }
        try openLog(logPath, fix: loaded.fix, state: &loaded.state)
        return loaded
    }

    static func openLog(_ logPath: String, fix: LogFix, state: inout State) throws {
        if case .recreate = fix {
            try AtomicFile.write(ProcessedFilesLineEncoder.logHeader(generation: state.generation), to: logPath)
        }
        let descriptor = open(logPath, O_WRONLY | O_APPEND | O_CLOEXEC)
        try CheckpointFileSystem.check(descriptor, logPath, "open")
        do {
            if case .truncate(let length) = fix {
                try CheckpointFileSystem.check(ftruncate(descriptor, off_t(length)), logPath, "truncate")
                try CheckpointFileSystem.check(fsync(descriptor), logPath, "sync")
            }
            var info = stat()
            try CheckpointFileSystem.check(fstat(descriptor, &info), logPath, "inspect")
            state.logSize = Int64(info.st_size)
        } catch {
            close(descriptor)
            throw error
        }
        state.logDescriptor = descriptor
    }

    private static func loadSnapshot(_ path: String, into state: inout State) throws {
        let bytes = try AtomicFile.read(path)
        try bytes.withUnsafeBufferPointer { buffer in
            var lines = CheckpointLineCursor(buffer)
            guard let header = lines.next() else { throw CheckpointError.corrupt(path, "the file is empty") }
            let (generation, count) = try decode(header, of: path) {
                try ProcessedFilesLineDecoder.snapshotHeader(buffer, header.range)
            }
            state.generation = generation
            // The count comes from the file: do not let a damaged one reserve absurd amounts of memory.
            state.files.reserveCapacity(Int(min(count, Int64(buffer.count / 16))))
            var seen: Int64 = 0
            while let line = lines.next() {
                let entry = try decode(line, of: path) {
                    try ProcessedFilesLineDecoder.snapshotEntry(buffer, line.range)
                }
                state.files[entry.path] = entry.state
                seen += 1
            }
            guard seen == count else {
                throw CheckpointError.corrupt(path, "the header announces \(count) files but \(seen) follow")
            }
        }
    }

    private static func replayLog(_ logPath: String, snapshotPath: String, into loaded: inout Loaded) throws {
        let bytes = try AtomicFile.read(logPath)
        guard !bytes.isEmpty else {
            loaded.fix = .recreate
            loaded.repairs.append("\(logPath) was empty; wrote a new header line")
            return
        }
        try bytes.withUnsafeBufferPointer { buffer in
            var lines = CheckpointLineCursor(buffer)
            guard let header = lines.next() else { return }
            let generation = try decode(header, of: logPath) {
                try ProcessedFilesLineDecoder.logHeader(buffer, header.range)
            }
            guard try isCurrent(generation, logPath, snapshotPath, &loaded) else { return }
            while let line = lines.next() { try replay(line, buffer, logPath, &loaded) }
        }
    }

    /// Whether the log continues the snapshot. An older log was already folded into the snapshot by a
    /// compaction that crashed before replacing the log.
    private static func isCurrent(
        _ generation: Int64, _ logPath: String, _ snapshotPath: String, _ loaded: inout Loaded
    ) throws -> Bool {
        let expected = loaded.state.generation
        if generation > expected {
            throw CheckpointError.corrupt(logPath, "its generation \(generation) is newer than the generation "
                + "\(expected) of \(snapshotPath); the snapshot is missing or was replaced by an older one")
        }
        guard generation < expected else { return true }
        loaded.fix = .recreate
        loaded.repairs.append("finished an interrupted compaction: \(logPath) (generation \(generation)) was "
            + "already part of \(snapshotPath) (generation \(expected)) and was emptied")
        return false
    }

    private static func replay(
        _ line: CheckpointLineCursor.Line, _ buffer: UnsafeBufferPointer<UInt8>, _ logPath: String,
        _ loaded: inout Loaded
    ) throws {
        do {
            guard line.terminated else { throw CheckpointJSONScanner.Failure(reason: "no newline at its end") }
            let entry = try ProcessedFilesLineDecoder.takenFile(buffer, line.range)
            loaded.state.files[entry.path] = .merging(loaded.state.files[entry.path], entry)
            loaded.state.entriesSinceCompaction += 1
        } catch let failure as CheckpointJSONScanner.Failure {
            guard line.isLast else { throw CheckpointError.corrupt(logPath, "line \(line.number): \(failure.reason)") }
            // A crash during an append can leave a partial last line; that append was never acknowledged.
            loaded.fix = .truncate(to: line.range.lowerBound)
            loaded.repairs.append("removed the torn last line \(line.number) of \(logPath) (\(failure.reason)), "
                + "left by an interrupted append")
        }
    }

    private static func decode<T>(
        _ line: CheckpointLineCursor.Line, of path: String, _ body: () throws -> T
    ) throws -> T {
        do {
            guard line.terminated else { throw CheckpointJSONScanner.Failure(reason: "no newline at its end") }
            return try body()
        } catch let failure as CheckpointJSONScanner.Failure {
            throw CheckpointError.corrupt(path, "line \(line.number): \(failure.reason)")
        }
    }
}
