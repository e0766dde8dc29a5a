@testable import Tributary
import Foundation
import Testing

/// A stand-in for the engine's offsets and commit entries.
struct SamplePlan: Codable, Equatable {
    var batch: Int64
    var sources: [String: Int64]
}

/// Plans and commits batches `0..<count`.
func runBatches(_ store: CheckpointStore, _ range: Range<Int64>) throws {
    for batch in range {
        try store.writeOffsets(batch, SamplePlan(batch: batch, sources: ["files": batch * 10]))
        try store.writeCommit(batch, ["batch": batch])
    }
}

@Suite struct CheckpointStoreTests {
    @Test func freshStoreCreatesLayoutAndMetadata() throws {
        try withScratchFolder { folder in
            let root = folder + "/checkpoint"
            let store = try CheckpointStore(directory: root)
            #expect(try store.recoveryState() == .fresh)
            #expect(try store.latestOffsetsBatch() == nil)
            #expect(try store.latestCommittedBatch() == nil)
            #expect(try names(in: root) == ["commits", "metadata", "offsets", "progress", "sources"])
            #expect(store.metadata.version == 1)
            let reopened = try CheckpointStore(directory: root)
            #expect(reopened.metadata == store.metadata)
            #expect(try readText(root + "/metadata").hasSuffix("}\n"))
        }
    }

    @Test func recoveryStatesFollowTheLogs() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            let plan = SamplePlan(batch: 0, sources: ["files": 7])
            try store.writeOffsets(0, plan)
            #expect(try store.recoveryState() == .uncommitted(batch: 0, lastCommitted: nil))
            #expect(try store.readOffsets(0, as: SamplePlan.self) == plan)
            try store.writeCommit(0, ["ok": true])
            #expect(try store.recoveryState() == .committed(last: 0))
            #expect(try store.readCommit(0, as: [String: Bool].self) == ["ok": true])
            try store.writeOffsets(1, plan)
            let state = try CheckpointStore(directory: folder).recoveryState()
            #expect(state == .uncommitted(batch: 1, lastCommitted: 0))
            #expect(state.nextBatch == 1)
        }
    }

    @Test func entriesAreReadableJSON() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try store.writeOffsets(0, SamplePlan(batch: 0, sources: ["b": 2, "a": 1]))
            let text = try readText(store.offsetsPath(0))
            #expect(text.hasSuffix("}\n"))
            #expect(text.contains("\n  "))
            #expect(text.range(of: "\"a\"")!.lowerBound < text.range(of: "\"b\"")!.lowerBound)
        }
    }

    @Test func batchIdsSortNumerically() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try runBatches(store, 0..<12)
            #expect(try store.latestCommittedBatch() == 11)
            #expect(try store.latestOffsetsBatch() == 11)
            #expect(try store.recoveryState() == .committed(last: 11))
        }
    }

    @Test func outOfOrderWritesAreRefused() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            let plan = SamplePlan(batch: 0, sources: [:])
            #expect(throws: CheckpointError.self) { try store.writeOffsets(1, plan) }
            #expect(throws: CheckpointError.self) { try store.writeCommit(0, plan) }
            try store.writeOffsets(0, plan)
            try store.writeOffsets(0, plan)
            try store.writeCommit(0, plan)
            let error = #expect(throws: CheckpointError.self) { try store.writeCommit(0, plan) }
            #expect(error?.code == .outOfOrder)
            #expect(throws: CheckpointError.self) { try store.writeOffsets(-1, plan) }
        }
    }

    @Test func purgeKeepsExactlyTheLastK() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try runBatches(store, 0..<10)
            try store.writeOffsets(10, SamplePlan(batch: 10, sources: [:]))
            for batch in Int64(0)...10 { try store.writeProgress(batch, json: Array("{}".utf8)) }
            try store.purge(keepLast: 3)
            #expect(try names(in: store.commitsDirectory) == ["7", "8", "9"])
            #expect(try names(in: store.offsetsDirectory) == ["10", "7", "8", "9"])
            #expect(try names(in: store.progressDirectory) == ["10", "7", "8", "9"])
            #expect(try store.recoveryState() == .uncommitted(batch: 10, lastCommitted: 9))
        }
    }

    @Test func progressKeepsTheLastReports() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            for batch in Int64(0)...5 {
                try store.writeProgress(batch, json: Array("{\"b\":\(batch)}".utf8), keepLast: 2)
            }
            #expect(try names(in: store.progressDirectory) == ["4", "5"])
            #expect(try store.readProgress(5) == Array("{\"b\":5}\n".utf8))
            #expect(try store.latestProgressBatch() == 5)
        }
    }

    @Test func unsupportedVersionIsRefused() throws {
        try withScratchFolder { folder in
            try writeRaw(#"{"id":"x","created":"2024-01-01T00:00:00Z","version":2}"#, to: folder + "/metadata")
            let error = #expect(throws: CheckpointError.self) { try CheckpointStore(directory: folder) }
            #expect(error?.code == .unsupportedVersion)
            #expect(error?.message.contains(folder + "/metadata") == true)
        }
    }

    @Test func dotFilesAreIgnored() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try writeRaw("partial", to: store.offsetsDirectory + "/.0.123.tmp")
            #expect(try store.recoveryState() == .fresh)
        }
    }

    @Test(arguments: ["notes.txt", "007", "-1"])
    func unexpectedNamesAreErrors(name: String) throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try writeRaw("{}", to: store.offsetsDirectory + "/" + name)
            let error = #expect(throws: CheckpointError.self) { try store.latestOffsetsBatch() }
            #expect(error?.path == store.offsetsDirectory + "/" + name)
            #expect(error?.message.contains(store.offsetsDirectory + "/" + name) == true)
        }
    }
}
