@testable import Tributary
import Foundation
import Testing

private typealias FileState = ProcessedFilesLog.FileState

/// A whole file taken in one batch.
func wholeFile(_ path: String, size: Int64 = 100, mtime: Int64 = 1_000, batch: Int64 = 0) -> TakenFile {
    TakenFile(path: path, size: size, mtimeNanos: mtime, batch: batch, rangeStart: 0, rangeEnd: size, complete: true)
}

/// A byte range of a file.
func takenRange(
    _ path: String, size: Int64, mtime: Int64, batch: Int64, _ range: Range<Int64>, complete: Bool
) -> TakenFile {
    TakenFile(
        path: path, size: size, mtimeNanos: mtime, batch: batch,
        rangeStart: range.lowerBound, rangeEnd: range.upperBound, complete: complete
    )
}

/// The states of `paths`, for comparing two loads.
func states(_ log: ProcessedFilesLog, _ paths: [String]) -> [String: ProcessedFilesLog.FileState?] {
    Dictionary(uniqueKeysWithValues: paths.map { ($0, log.state(of: $0)) })
}

@Suite struct ProcessedFilesLogTests {
    static let oddPaths = ["/in/a.csv", "/in/quote\"back\\slash", "/in/new\nline\ttab", "/in/ünïcødé 🚀", "/in/\u{1}"]

    @Test func appendedEntriesSurviveReload() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder + "/sources/files")
            try log.append(Self.oddPaths.enumerated().map { wholeFile($1, size: Int64($0), batch: 3) })
            #expect(log.entriesSinceCompaction == Self.oddPaths.count)
            let reloaded = try ProcessedFilesLog(directory: folder + "/sources/files")
            #expect(reloaded.repairs.isEmpty)
            #expect(reloaded.count == Self.oddPaths.count)
            #expect(states(reloaded, Self.oddPaths) == states(log, Self.oddPaths))
            #expect(reloaded.state(of: "/in/ünïcødé 🚀")?.bytesTaken == 3)
            #expect(reloaded.state(of: "/in/missing") == nil)
            #expect(reloaded.entriesSinceCompaction == Self.oddPaths.count)
        }
    }

    @Test func logLinesAreJSON() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try log.append(Self.oddPaths.map { wholeFile($0) })
            let lines = try readText(log.logPath).split(separator: "\n")
            #expect(lines.count == Self.oddPaths.count + 1)
            let paths = try lines.dropFirst().map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return object?["path"] as? String
            }
            #expect(paths == Self.oddPaths)
        }
    }

    @Test func handWrittenEscapesAreRead() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            let header = try readText(log.logPath)
            let line = #"{ "pa\u0074h" : "/x\ud83d\ude80\/y\n", "size": 1, "mtimeNanos": -5, "batch": 0, "#
                + #""rangeStart": 0, "rangeEnd": 1, "complete": true, "addedLater": [1] }"# + "\n"
            try writeRaw(header + line + line, to: log.logPath)
            let error = #expect(throws: CheckpointError.self) { try ProcessedFilesLog(directory: folder) }
            #expect(error?.message.contains("line 2: unsupported value") == true)
            try writeRaw(header + line.replacingOccurrences(of: "[1]", with: "\"v2\""), to: log.logPath)
            let reloaded = try ProcessedFilesLog(directory: folder)
            let expected = FileState(size: 1, mtimeNanos: -5, bytesTaken: 1, complete: true, batch: 0)
            #expect(reloaded.state(of: "/x🚀/y\n") == expected)
        }
    }

    @Test func splitRangesAccumulate() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try log.append([takenRange("/big", size: 300, mtime: 5, batch: 1, 0..<100, complete: false)])
            let partial = FileState(size: 300, mtimeNanos: 5, bytesTaken: 100, complete: false, batch: 1)
            #expect(log.state(of: "/big") == partial)
            try log.append([takenRange("/big", size: 300, mtime: 5, batch: 2, 100..<300, complete: true)])
            let expected = FileState(size: 300, mtimeNanos: 5, bytesTaken: 300, complete: true, batch: 2)
            #expect(log.state(of: "/big") == expected)
            #expect(try ProcessedFilesLog(directory: folder).state(of: "/big") == expected)
        }
    }

    @Test func changedFileStartsOver() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try log.append([wholeFile("/f", size: 100, mtime: 1)])
            try log.append([takenRange("/f", size: 150, mtime: 2, batch: 1, 100..<120, complete: false)])
            let grown = FileState(size: 150, mtimeNanos: 2, bytesTaken: 120, complete: false, batch: 1)
            #expect(log.state(of: "/f") == grown)
        }
    }

    @Test func invalidEntriesAreRefused() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            let backwards = TakenFile(
                path: "/f", size: 10, mtimeNanos: 1, batch: 0, rangeStart: 5, rangeEnd: 2, complete: false
            )
            let error = #expect(throws: CheckpointError.self) { try log.append([wholeFile("/ok"), backwards]) }
            #expect(error?.code == .invalidArgument)
            #expect(log.count == 0)
        }
    }

    @Test(arguments: [#"{"path":"/torn","si"#, "{\"path\":\"/torn\"\n", "\u{0}\u{0}\u{0}"])
    func tornLastLineIsRepaired(tail: String) throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try log.append([wholeFile("/a"), wholeFile("/b")])
            try writeRaw(try readText(log.logPath) + tail, to: log.logPath)
            let repaired = try ProcessedFilesLog(directory: folder)
            #expect(repaired.repairs.count == 1)
            #expect(repaired.repairs.first?.contains("line 4 of \(log.logPath)") == true)
            #expect(repaired.count == 2)
            try repaired.append([wholeFile("/c")])
            let reloaded = try ProcessedFilesLog(directory: folder)
            #expect(reloaded.repairs.isEmpty)
            #expect(reloaded.count == 3)
        }
    }

    @Test func badMiddleLineIsCorruptionWithLineNumber() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try log.append([wholeFile("/a")])
            let text = try readText(log.logPath)
            let goodLine = text.split(separator: "\n")[1]
            try writeRaw(text + "{\"path\":\"/b\",\"size\":oops}\n" + goodLine + "\n", to: log.logPath)
            let error = #expect(throws: CheckpointError.self) { try ProcessedFilesLog(directory: folder) }
            #expect(error?.code == .corrupt)
            #expect(error?.path == log.logPath)
            #expect(error?.message.contains("checkpoint file \(log.logPath) is corrupt (line 3:") == true)
        }
    }

    @Test func missingLogBesideSnapshotIsCorruption() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            try log.append([wholeFile("/a")])
            try log.compact()
            try FileManager.default.removeItem(atPath: log.logPath)
            let error = #expect(throws: CheckpointError.self) { try ProcessedFilesLog(directory: folder) }
            #expect(error?.path == log.logPath)
        }
    }
}
