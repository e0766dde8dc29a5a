@testable import Tributary
import Foundation
import Testing

@Suite struct CheckpointStoreCorruptionTests {
    static let damagedContents = [
        "",
        "  \n",
        #"{"batch": 0, "sources": {"files": 1"#,
        "garbage\u{0}\u{1}",
        #"{"batch": "zero", "sources": {}}"#,
        #"{"sources": {}}"#,
        "[1, 2, 3]",
    ]

    @Test(arguments: damagedContents)
    func damagedOffsetsFileNamesItself(content: String) throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try writeRaw(content, to: store.offsetsPath(0))
            let error = #expect(throws: CheckpointError.self) { try store.readOffsets(0, as: SamplePlan.self) }
            #expect(error?.code == .corrupt)
            #expect(error?.path == store.offsetsPath(0))
            #expect(error?.message.hasPrefix("checkpoint file \(store.offsetsPath(0)) is corrupt (") == true)
            #expect(error?.message.contains("restore it from a backup or remove the checkpoint folder") == true)
        }
    }

    @Test func commitWithoutOffsetsIsCorruption() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try runBatches(store, 0..<2)
            try FileManager.default.removeItem(atPath: store.offsetsPath(1))
            let error = #expect(throws: CheckpointError.self) { try store.recoveryState() }
            #expect(error?.code == .corrupt)
            #expect(error?.path == store.commitPath(1))
            #expect(error?.message.contains(store.offsetsPath(1)) == true)
        }
    }

    @Test func offsetsMoreThanOneAheadIsCorruption() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try runBatches(store, 0..<1)
            try writeRaw("{}", to: store.offsetsPath(2))
            let error = #expect(throws: CheckpointError.self) { try store.recoveryState() }
            #expect(error?.path == store.offsetsPath(2))
            #expect(error?.message.contains(store.commitPath(0)) == true)
        }
    }

    @Test func offsetsAheadWithoutAnyCommitIsCorruption() throws {
        try withScratchFolder { folder in
            let store = try CheckpointStore(directory: folder)
            try writeRaw("{}", to: store.offsetsPath(1))
            let error = #expect(throws: CheckpointError.self) { try store.recoveryState() }
            #expect(error?.path == store.offsetsPath(1))
        }
    }

    @Test func damagedMetadataNamesItself() throws {
        try withScratchFolder { folder in
            try writeRaw(#"{"id":"x","vers"#, to: folder + "/metadata")
            let error = #expect(throws: CheckpointError.self) { try CheckpointStore(directory: folder) }
            #expect(error?.code == .corrupt)
            #expect(error?.path == folder + "/metadata")
        }
    }
}
