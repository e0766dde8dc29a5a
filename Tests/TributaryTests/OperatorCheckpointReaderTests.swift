@testable import Tributary
import Foundation
import Testing

@Suite struct OperatorCheckpointReaderTests {
    private func plan(_ batch: Int64, files: [PlannedFileRange] = []) -> BatchPlan {
        BatchPlan(batch: batch, batchTime: "2026-11-21T20:00:0\(batch)Z",
                  kafka: [.init(topic: "visits", partition: 1, start: batch * 10, end: batch * 10 + 10),
                          .init(topic: "visits", partition: 0, start: batch * 5, end: batch * 5 + 5)],
                  files: files, dataLoss: [])
    }

    private func commit(_ batch: Int64, files: [BatchCommit.FileResult] = []) -> BatchCommit {
        var counts = SourceCounts()
        counts.read = 15
        counts.written = 15
        return BatchCommit(batch: batch, committedAt: "2026-11-21T20:00:0\(batch).5Z", counts: ["kafka": counts], files: files)
    }

    /// Every file under `folder` with its content, to check that reading changed nothing.
    private func contents(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
            result[name] = isFolder.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return result
    }

    @Test func readsCommittedAndInFlightBatchesFilesAndProgressWithoutChangingAnything() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            let result = BatchCommit.FileResult(path: "/in/b.jsonl", size: 100, mtimeNanos: 7, start: 0, endOffset: 60, linesTaken: 6, complete: false)
            for batch in Int64(0)...1 {
                try store.writeOffsets(batch, plan(batch))
                try store.writeCommit(batch, commit(batch, files: batch == 1 ? [result] : []))
            }
            try store.writeOffsets(2, plan(2))
            try store.writeProgress(1, json: Array("""
                {"batch":1,"batch_time":"t","rows_read":15,"rows_written":14,"rows_filtered":0,"rows_dead_lettered":1,"sources":{"kafka":{"rows_read":15,"rows_written":14,"rows_filtered":0,"rows_dead_lettered":1,"lag":3}},"durations_ms":{"read":1.5,"plan":0.25}}
                """.utf8))
            let log = try ProcessedFilesLog(directory: folder + "/sources/files")
            try log.append([TakenFile(path: "/in/a.jsonl", size: 10, mtimeNanos: 5, batch: 0, rangeStart: 0, rangeEnd: 10, complete: true, lines: 1)])
            // An append in progress (or interrupted): no newline yet. The commit of batch 1 is
            // not in the log yet either.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.logPath))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("{\"path\":\"/in/b.js".utf8))
            try handle.close()
            let before = try contents(folder)

            let status = try CheckpointReader.status(directory: folder)
            #expect(status.metadata == store.metadata)
            #expect(status.lastCommitted?.commit.batch == 1)
            #expect(status.lastCommitted?.commit.committedAt == "2026-11-21T20:00:01.5Z")
            #expect(status.inFlight?.batch == 2)
            #expect(status.committedOffsets.map { "\($0.topic)[\($0.partition)]=\($0.end)" } == ["visits[0]=10", "visits[1]=20"])
            #expect(status.filesLog?.complete.map(\.path) == ["/in/a.jsonl"])
            #expect(status.filesLog?.inProgress.map(\.path) == ["/in/b.jsonl"])
            #expect(status.filesLog?.inProgress.first?.state.bytesTaken == 60)
            #expect(status.notes.count == 1)
            #expect(status.notes.first?.contains("line 3 of \(log.logPath) is incomplete") == true)
            #expect(status.progress?.batch == 1)
            #expect(status.progress?.total.deadLettered == 1)
            #expect(status.progress?.sources.map(\.name) == ["kafka"])
            #expect(status.progress?.kafkaLag == 3)
            #expect(status.progress?.durationsMs.map(\.phase) == ["plan", "read"])
            #expect(try contents(folder) == before)
        }
    }

    @Test func aMissingCheckpointNamesThePath() throws {
        try withScratchFolder { folder in
            #expect(throws: CheckpointError.self) { try CheckpointReader.status(directory: folder + "/nothing") }
            do {
                _ = try CheckpointReader.status(directory: folder)
                Issue.record("an empty folder is not a checkpoint")
            } catch let error as CheckpointError {
                #expect(error.code == .notFound)
                #expect(error.path == folder + "/metadata")
                #expect(error.message.contains("check the path"))
            }
            // Reading created nothing.
            #expect(try names(in: folder) == [])
        }
    }

    @Test func aDamagedCommitIsAnErrorNamingTheFile() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try store.writeOffsets(0, plan(0))
            try store.writeCommit(0, commit(0))
            try writeRaw("{\"batch\":0,", to: store.commitPath(0))
            do {
                _ = try CheckpointReader.status(directory: folder)
                Issue.record("a damaged commit must be an error")
            } catch let error as CheckpointError {
                #expect(error.code == .corrupt)
                #expect(error.path == store.commitPath(0))
                #expect(error.message.contains("restore it from a backup"))
            }
        }
    }
}
