extension CheckpointStore {
    /// Deletes the offsets, commits and progress files of batches older than the last `keepLast` committed
    /// batches (ids below `latestCommitted - keepLast + 1`). Does nothing before the first commit.
    public func purge(keepLast: Int = 100) throws {
        try requirePositive(keepLast)
        guard let last = try latestCommittedBatch() else { return }
        let oldestKept = last - Int64(keepLast) + 1
        // Commits go first: an interrupted purge must never leave a commit without its offsets.
        for folder in [commitsDirectory, offsetsDirectory, progressDirectory] {
            try removeBatches(in: folder, below: oldestKept)
        }
    }

    func removeBatches(in folder: String, below oldestKept: Int64) throws {
        let doomed = try batchIDs(in: folder).filter { $0 < oldestKept }
        guard !doomed.isEmpty else { return }
        for batch in doomed {
            try CheckpointFileSystem.removeFile(CheckpointFileSystem.join(folder, String(batch)))
        }
        try CheckpointFileSystem.syncDirectory(folder, for: folder)
    }

    func requirePositive(_ keepLast: Int) throws {
        guard keepLast >= 1 else {
            throw CheckpointError.invalid(directory, "keepLast must be at least 1, not \(keepLast)")
        }
    }
}
