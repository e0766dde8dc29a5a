@testable import Tributary
import Foundation
import Testing

@Suite struct ProcessedFilesLogCompactionTests {
    static let paths = ["/old-complete", "/new-complete", "/old-partial", "/split"]

    /// Files with mtimes 100 and 200, one of them only partly taken, one taken in two ranges.
    func populate(_ log: ProcessedFilesLog) throws {
        try log.append([
            wholeFile("/old-complete", mtime: 100),
            wholeFile("/new-complete", mtime: 200),
            takenRange("/old-partial", size: 50, mtime: 100, batch: 0, 0..<20, complete: false),
            takenRange("/split", size: 50, mtime: 200, batch: 1, 0..<20, complete: false),
        ])
        try log.append([takenRange("/split", size: 50, mtime: 200, batch: 2, 20..<50, complete: true)])
    }

    @Test func compactionKeepsStateAndEmptiesLog() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try populate(log)
            let before = states(log, Self.paths)
            try log.compact()
            #expect(log.entriesSinceCompaction == 0)
            #expect(states(log, Self.paths) == before)
            #expect(try readText(log.logPath).split(separator: "\n").count == 1)
            let reloaded = try ProcessedFilesLog(directory: folder)
            #expect(reloaded.repairs.isEmpty)
            #expect(states(reloaded, Self.paths) == before)
            try reloaded.append([wholeFile("/after")])
            #expect(try ProcessedFilesLog(directory: folder).state(of: "/after") != nil)
        }
    }

    @Test func compactionAgesOutOnlyCompleteOldFiles() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try populate(log)
            try log.compact(olderThan: 150)
            #expect(log.state(of: "/old-complete") == nil)
            #expect(log.state(of: "/old-partial") != nil)
            #expect(log.count == 3)
            let reloaded = try ProcessedFilesLog(directory: folder)
            #expect(states(reloaded, Self.paths) == states(log, Self.paths))
        }
    }

    @Test func crashBetweenSnapshotAndLogReplacementGivesSameState() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try populate(log)
            let oldLog = try readText(log.logPath)
            try log.compact(olderThan: 150)
            let compacted = states(log, Self.paths)
            // As if the process died after the new snapshot was in place but before the log was replaced.
            try writeRaw(oldLog, to: log.logPath)
            let recovered = try ProcessedFilesLog(directory: folder)
            #expect(recovered.repairs.count == 1)
            #expect(states(recovered, Self.paths) == compacted)
            #expect(recovered.entriesSinceCompaction == 0)
            try recovered.append([wholeFile("/after")])
            let reloaded = try ProcessedFilesLog(directory: folder)
            #expect(reloaded.repairs.isEmpty)
            #expect(reloaded.state(of: "/after") != nil)
            #expect(states(reloaded, Self.paths) == compacted)
        }
    }

    @Test func replayingEntriesAlreadyInSnapshotChangesNothing() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try populate(log)
            let entries = try readText(log.logPath).split(separator: "\n").dropFirst()
            try log.compact()
            let compacted = states(log, Self.paths)
            try writeRaw(try readText(log.logPath) + entries.joined(separator: "\n") + "\n", to: log.logPath)
            let reloaded = try ProcessedFilesLog(directory: folder)
            #expect(states(reloaded, Self.paths) == compacted)
        }
    }

    @Test func snapshotLinesAreJSON() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try populate(log)
            try log.compact()
            let lines = try readText(log.snapshotPath).split(separator: "\n")
            #expect(lines.count == 5)
            for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        }
    }

    @Test func truncatedSnapshotIsCorruption() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try populate(log)
            try log.compact()
            let lines = try readText(log.snapshotPath).split(separator: "\n")
            try writeRaw(lines.dropLast().joined(separator: "\n") + "\n", to: log.snapshotPath)
            let error = #expect(throws: CheckpointError.self) { try ProcessedFilesLog(directory: folder) }
            #expect(error?.code == .corrupt)
            #expect(error?.path == log.snapshotPath)
        }
    }
}
