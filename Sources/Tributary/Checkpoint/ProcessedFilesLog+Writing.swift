import Glibc

extension ProcessedFilesLog {
    func writeToLog(_ bytes: [UInt8], _ state: inout State) throws {
        if let failure = state.failure { throw failure }
        if state.logNeedsReset { try resetLog(&state) }
        do {
            try CheckpointFileSystem.writeAll(state.logDescriptor, bytes, logPath)
            try CheckpointFileSystem.check(fsync(state.logDescriptor), logPath, "sync")
        } catch {
            cutBack(&state, after: error)
            throw error
        }
        state.logSize += Int64(bytes.count)
    }

    /// Removes whatever part of a failed append reached the file, so later lines never follow a torn one.
    private func cutBack(_ state: inout State, after error: any Error) {
        let descriptor = state.logDescriptor
        if ftruncate(descriptor, off_t(state.logSize)) == 0 && fsync(descriptor) == 0 { return }
        state.failure = CheckpointError(
            code: .io,
            path: logPath,
            message: "\(logPath) may end in a partial line after a failed append (\(error)); "
                + "restart the process so that loading repairs it"
        )
    }

    /// Replaces the log with a header-only one of the current generation and appends to that from now on.
    func resetLog(_ state: inout State) throws {
        if state.logDescriptor >= 0 {
            close(state.logDescriptor)
            state.logDescriptor = -1
        }
        try Self.openLog(logPath, fix: .recreate, state: &state)
        state.logNeedsReset = false
        state.failure = nil
    }
}
