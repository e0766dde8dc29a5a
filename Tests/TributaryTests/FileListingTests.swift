@testable import Tributary
import Foundation
import Glibc
import Testing

/// Runs `body` with a new, uniquely named folder under the temporary directory, then removes it.
private func withListingFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-listing-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

private func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// Size and modification time (ns) of `path`, following symlinks.
private func statOf(_ path: String) -> (size: Int64, mtime: Int64) {
    var info = stat()
    #expect(stat(path, &info) == 0, "stat \(path)")
    return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
}

@Suite struct FileListingTests {
    @Test func listsMatchingRegularFilesAndSaysWhyOthersAreSkipped() throws {
        try withListingFolder { root in
            let folder = root + "/in"
            let elsewhere = root + "/elsewhere"
            try FileManager.default.createDirectory(atPath: folder + "/sub.json", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            try write("{\"a\":1}\n", to: folder + "/a.json")
            try write("{\"b\":2}\n{\"b\":3}\n", to: folder + "/b.jsonl")
            try write("x", to: folder + "/.hidden.json")
            try write("x", to: folder + "/c.json.tmp")
            try write("x", to: folder + "/d.json.part")
            try write("x", to: folder + "/e.txt")
            try write("secret\n", to: elsewhere + "/outside.json")
            #expect(symlink("a.json", folder + "/inside.json") == 0)
            #expect(symlink(elsewhere + "/outside.json", folder + "/outside.json") == 0)
            #expect(symlink("../elsewhere/outside.json", folder + "/relative-outside.json") == 0)
            #expect(symlink("missing.json", folder + "/dangling.json") == 0)
            #expect(symlink("sub.json", folder + "/folder-link.json") == 0)

            var skipped: [String: FileListing.Skip] = [:]
            let files = try FileListing.list(folder: folder, pattern: "*.json*") { name, reason in
                #expect(skipped[name] == nil, "\(name) reported twice")
                skipped[name] = reason
            }
            let byName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0) })
            #expect(byName.keys.sorted() == ["a.json", "b.jsonl", "inside.json"])
            #expect(skipped == [
                ".hidden.json": .hidden,
                "c.json.tmp": .temporary,
                "d.json.part": .temporary,
                "e.txt": .pattern,
                "sub.json": .notRegular,
                "folder-link.json": .notRegular,
                "outside.json": .symlinkOutside,
                "relative-outside.json": .symlinkOutside,
                "dangling.json": .symlinkOutside,
            ])

            let a = statOf(folder + "/a.json")
            #expect(byName["a.json"] == FileCandidate(path: folder + "/a.json", name: "a.json", size: 8, mtimeNanos: a.mtime))
            #expect(byName["b.jsonl"]?.size == 16)
            #expect(byName["b.jsonl"]?.path == folder + "/b.jsonl")
            // A symlink inside the folder is listed under its own name with its target's size and mtime.
            #expect(byName["inside.json"] == FileCandidate(path: folder + "/inside.json", name: "inside.json", size: 8, mtimeNanos: a.mtime))
            #expect(byName["inside.json"]?.isGzip == false)
        }
    }

    @Test func patternIsAGlobOnTheName() throws {
        try withListingFolder { folder in
            for name in ["2024-01-01.json.gz", "2024-01-02.json", "notes.json", "2024-01-03.csv"] {
                try write("", to: folder + "/" + name)
            }
            let files = try FileListing.list(folder: folder, pattern: "2024-*.json*")
            #expect(files.map(\.name).sorted() == ["2024-01-01.json.gz", "2024-01-02.json"])
            #expect(files.filter(\.isGzip).map(\.name) == ["2024-01-01.json.gz"])
            #expect(files.allSatisfy { $0.size == 0 })
        }
    }

    @Test func aTrailingSlashDoesNotDoubleTheSeparator() throws {
        try withListingFolder { folder in
            try write("1\n", to: folder + "/x.json")
            let files = try FileListing.list(folder: folder + "/", pattern: "*")
            #expect(files.map(\.path) == [folder + "/x.json"])
        }
    }

    @Test func aMissingFolderThrowsWithItsPath() throws {
        try withListingFolder { root in
            let missing = root + "/nope"
            let error = #expect(throws: FileIOError.self) { try FileListing.list(folder: missing, pattern: "*") }
            #expect(error?.path == missing)
            #expect(error?.operation == "list")
            #expect(error?.errno == ENOENT)
        }
    }

    @Test func listsOneHundredThousandFilesQuickly() throws {
        try withListingFolder { folder in
            let count = 100_000
            // New inodes are slow to allocate on some virtual disks (10 s for 100 000 here), so
            // a few files are created with open/close and the rest are hard links to them:
            // still 100 000 names of regular files to read and stat, made in well under a second.
            let originals = 4
            for index in 0..<count {
                let path = folder + "/f\(index).json"
                if index < originals {
                    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                    try #require(descriptor >= 0, "cannot create \(path): errno \(errno)")
                    close(descriptor)
                } else {
                    try #require(link(folder + "/f\(index % originals).json", path) == 0, "cannot link \(path): errno \(errno)")
                }
            }
            try write("x", to: folder + "/skip.tmp")
            let clock = ContinuousClock()
            let start = clock.now
            let files = try FileListing.list(folder: folder, pattern: "*.json")
            let elapsed = clock.now - start
            print("FileListing.list of \(count) files took \(elapsed)")
            #expect(files.count == count)
            #expect(Set(files.map(\.name)).count == count)
            #expect(files.allSatisfy { $0.size == 0 && $0.path == folder + "/" + $0.name })
            #expect(elapsed < .seconds(2))
            // Unlinking by name is much faster than FileManager's recursive removal.
            for index in 0..<count { unlink(folder + "/f\(index).json") }
        }
    }
}
