extension ProcessedFilesLog {
    /// What the file source has taken of one file, folded from all its `TakenFile` records.
    public struct FileState: Sendable, Hashable {
        /// The file's size when it was last taken.
        public var size: Int64
        /// The file's modification time when it was last taken, nanoseconds since 1970.
        public var mtimeNanos: Int64
        /// Bytes taken so far: the largest `rangeEnd` recorded for this size and modification time.
        public var bytesTaken: Int64
        /// Whether the whole file has been taken.
        public var complete: Bool
        /// The latest batch that took part of the file.
        public var batch: Int64
        /// Lines taken so far.
        public var lines: Int64

        /// Creates a state.
        public init(size: Int64, mtimeNanos: Int64, bytesTaken: Int64, complete: Bool, batch: Int64, lines: Int64 = 0) {
            self.size = size
            self.mtimeNanos = mtimeNanos
            self.bytesTaken = bytesTaken
            self.complete = complete
            self.batch = batch
            self.lines = lines
        }

        /// Folds `entry` into `existing`. Only maxima and "or" are used for the same file version, so
        /// folding a record twice changes nothing; a record for another size or mtime starts over from it.
        static func merging(_ existing: FileState?, _ entry: TakenFile) -> FileState {
            guard let existing, existing.size == entry.size, existing.mtimeNanos == entry.mtimeNanos else {
                return FileState(
                    size: entry.size, mtimeNanos: entry.mtimeNanos, bytesTaken: entry.rangeEnd,
                    complete: entry.complete, batch: entry.batch, lines: entry.lines
                )
            }
            return FileState(
                size: existing.size, mtimeNanos: existing.mtimeNanos,
                bytesTaken: max(existing.bytesTaken, entry.rangeEnd),
                complete: existing.complete || entry.complete, batch: max(existing.batch, entry.batch),
                lines: max(existing.lines, entry.lines)
            )
        }
    }
}

extension ProcessedFilesLog {
    /// The planner's view of a file: how much of it has been taken.
    func progress(of path: String) -> FileProgress? {
        state(of: path).map {
            FileProgress(size: $0.size, mtimeNanos: $0.mtimeNanos, bytesTaken: $0.bytesTaken, linesTaken: $0.lines, complete: $0.complete)
        }
    }
}
