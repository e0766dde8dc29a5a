extension CheckpointStore {
    /// The file holding the progress report of `batch`.
    public func progressPath(_ batch: Int64) -> String {
        CheckpointFileSystem.join(progressDirectory, String(batch))
    }

    /// Atomically stores the progress report (JSON bytes) of `batch`, adding a final newline if missing, then
    /// deletes the reports of batches older than `batch - keepLast + 1`.
    public func writeProgress(_ batch: Int64, json: [UInt8], keepLast: Int = 100) throws {
        let path = try validated(batch, progressPath(batch))
        try requirePositive(keepLast)
        var bytes = json
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        try AtomicFile.write(bytes, to: path)
        try removeBatches(in: progressDirectory, below: batch - Int64(keepLast) + 1)
    }

    /// The progress report of `batch` as stored; throws `.notFound` if there is none.
    public func readProgress(_ batch: Int64) throws -> [UInt8] {
        try AtomicFile.read(validated(batch, progressPath(batch)))
    }

    /// The highest batch id with a progress report, or nil.
    public func latestProgressBatch() throws -> Int64? {
        try batchIDs(in: progressDirectory).last
    }
}
