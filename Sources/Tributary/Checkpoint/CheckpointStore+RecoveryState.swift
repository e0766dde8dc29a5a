extension CheckpointStore {
    /// Where a restarted query resumes, derived from the offsets and commit logs.
    public enum RecoveryState: Sendable, Hashable {
        /// No batch was ever planned; the next batch is 0.
        case fresh
        /// Every planned batch is committed; the next batch is `last + 1`.
        case committed(last: Int64)
        /// `offsets/<batch>` exists without `commits/<batch>`: re-run `batch` with its recorded plan.
        case uncommitted(batch: Int64, lastCommitted: Int64?)

        /// The id of the batch to run next.
        public var nextBatch: Int64 {
            switch self {
            case .fresh: 0
            case .committed(let last): last + 1
            case .uncommitted(let batch, _): batch
            }
        }
    }

    /// The highest planned batch id, or nil if none was planned.
    public func latestOffsetsBatch() throws -> Int64? {
        try batchIDs(in: offsetsDirectory).last
    }

    /// The highest committed batch id, or nil if none was committed.
    public func latestCommittedBatch() throws -> Int64? {
        try batchIDs(in: commitsDirectory).last
    }

    /// Reads both logs and says where to resume. Throws `.corrupt`, naming the files, when a commit has no
    /// offsets or the latest plan is more than one batch ahead of the latest commit.
    public func recoveryState() throws -> RecoveryState {
        let planned = try batchIDs(in: offsetsDirectory)
        let committed = try batchIDs(in: commitsDirectory)
        try requireOffsets(forEach: committed, planned: Set(planned))
        guard let lastPlanned = planned.last else { return .fresh }
        let lastCommitted = committed.last
        if lastPlanned == lastCommitted { return .committed(last: lastPlanned) }
        guard lastPlanned == (lastCommitted ?? -1) + 1 else { throw gap(lastPlanned, lastCommitted) }
        return .uncommitted(batch: lastPlanned, lastCommitted: lastCommitted)
    }

    private func requireOffsets(forEach committed: [Int64], planned: Set<Int64>) throws {
        for batch in committed where !planned.contains(batch) {
            throw CheckpointError.corrupt(
                commitPath(batch), "batch \(batch) is committed but its plan \(offsetsPath(batch)) is missing"
            )
        }
    }

    private func gap(_ lastPlanned: Int64, _ lastCommitted: Int64?) -> CheckpointError {
        guard let lastCommitted else {
            return CheckpointError.corrupt(offsetsPath(lastPlanned), "batch \(lastPlanned) is planned but no batch "
                + "was ever committed (\(commitsDirectory) is empty), so the first plan should be batch 0")
        }
        return CheckpointError.corrupt(
            offsetsPath(lastPlanned),
            "batch \(lastPlanned) is planned but the last committed batch is \(lastCommitted) "
                + "(\(commitPath(lastCommitted))); a plan may be at most one batch ahead of the last commit"
        )
    }

    /// Batch ids of the files in `folder`, ascending. Dot files (temporary files) are skipped; any other
    /// name that is not a plain decimal number is an error naming it.
    func batchIDs(in folder: String) throws -> [Int64] {
        var ids: [Int64] = []
        for name in try CheckpointFileSystem.listNames(folder) where !name.hasPrefix(".") {
            guard let id = Self.batchID(name) else { throw unexpectedFile(name, in: folder) }
            ids.append(id)
        }
        return ids.sorted()
    }

    private static func batchID(_ name: String) -> Int64? {
        guard name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let id = Int64(name), String(id) == name else { return nil }
        return id
    }

    private func unexpectedFile(_ name: String, in folder: String) -> CheckpointError {
        let path = CheckpointFileSystem.join(folder, name)
        return CheckpointError(
            code: .corrupt,
            path: path,
            message: "unexpected file \(path) in the checkpoint: files in \(folder) must be named by a decimal "
                + "batch id without leading zeros; move it out of the checkpoint folder"
        )
    }
}
