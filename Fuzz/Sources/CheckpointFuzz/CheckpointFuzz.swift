import Foundation
import Tributary

// One fuzz input is a whole checkpoint folder: the files below, in this order, separated by
// the byte 0x1E; an empty section, or one past the end, is a file that does not exist.
// Every reader of the folder runs on it: the operator's read-only status (metadata, plan,
// commit, files log, progress report), the engine's store (recovery state, plan and commit
// entries), the engine's files-log loader, and the dead-letter parser. Damage must come back as
// an error naming the file, never as a crash. The files live in /dev/shm when it exists, so
// that the loader's fsync calls cost nothing.

let sections = ["metadata", "offsets/0", "commits/0", "sources/files/snapshot", "sources/files/log",
                "progress/0", "dead-letter"]
let separator: UInt8 = 0x1E
let base = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/tributary-checkpoint-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
let folder = base + "/checkpoint"
/// Removes the folder when libFuzzer exits (after a crash it stays, for a look).
let removesFolderAtExit: Void = { atexit { try? FileManager.default.removeItem(atPath: base) } }()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    removesFolderAtExit
    let parts = UnsafeBufferPointer(start: data, count: size)
        .split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
    writeFolder(parts)
    _ = try? CheckpointReader.status(directory: folder)
    if let store = try? CheckpointStore(directory: folder) {
        _ = try? store.recoveryState()
        _ = try? store.readOffsets(0, as: BatchPlan.self)
        _ = try? store.readCommit(0, as: BatchCommit.self)
    }
    checkFilesLog()
    if parts.count > 6 {
        let lines = parts[6].split(separator: 0x0A, omittingEmptySubsequences: false).count
        let (entries, problems) = DeadLetterReader.parse(parts[6], file: "0-files.jsonl")
        precondition(entries.count + problems.count <= lines, "more results than lines")
        precondition(problems.allSatisfy { $0.line >= 1 && $0.line <= lines }, "a problem outside the file")
    }
    return 0
}

/// Loads the files log; a log it loaded (and repaired) must load again as it is, with no repair left.
func checkFilesLog() {
    let directory = folder + "/sources/files"
    guard let first = try? ProcessedFilesLog(directory: directory) else { return }
    let second: ProcessedFilesLog
    do {
        second = try ProcessedFilesLog(directory: directory)
    } catch {
        preconditionFailure("the files log loaded once (repairs: \(first.repairs)) but not again: \(error)")
    }
    precondition(second.repairs.isEmpty, "a second load repaired again: \(second.repairs)")
    precondition(second.count == first.count, "\(first.count) files, then \(second.count)")
}

/// Replaces the checkpoint folder with the files of `parts`.
func writeFolder(_ parts: [[UInt8]]) {
    let manager = FileManager.default
    try? manager.removeItem(atPath: folder)
    for name in ["offsets", "commits", "progress", "sources/files"] {
        try! manager.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
    }
    for (part, name) in zip(parts, sections) where name != "dead-letter" && !part.isEmpty {
        precondition(manager.createFile(atPath: folder + "/" + name, contents: Data(part)), "cannot write \(name)")
    }
}
