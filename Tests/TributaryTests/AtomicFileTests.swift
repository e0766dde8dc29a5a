@testable import Tributary
import Foundation
import Glibc
import Testing

@Suite struct AtomicFileTests {
    @Test func writesContentWithModeAndLeavesNoTemporaryFiles() throws {
        try withScratchFolder { folder in
            let path = folder + "/target"
            try AtomicFile.write(Array("first\n".utf8), to: path)
            try AtomicFile.write(Data("second\n".utf8), to: path, mode: 0o640)
            #expect(try AtomicFile.read(path) == Array("second\n".utf8))
            #expect(try names(in: folder) == ["target"])
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o640)
        }
    }

    @Test func writesEmptyFile() throws {
        try withScratchFolder { folder in
            try AtomicFile.write([], to: folder + "/empty")
            #expect(try AtomicFile.read(folder + "/empty").isEmpty)
        }
    }

    @Test func failedWriteNamesPathAndFolderAndLeavesNoTemporaryFile() throws {
        try withScratchFolder { folder in
            // root may write into a 0500 folder, so use a folder that does not exist instead.
            let asRoot = geteuid() == 0
            let target = asRoot ? folder + "/missing/target" : folder + "/readonly/target"
            if !asRoot {
                try FileManager.default.createDirectory(atPath: folder + "/readonly", withIntermediateDirectories: true)
                chmod(folder + "/readonly", 0o500)
            }
            defer { chmod(folder + "/readonly", 0o700) }
            let error = #expect(throws: CheckpointError.self) { try AtomicFile.write([1, 2, 3], to: target) }
            #expect(error?.code == .io)
            #expect(error?.path == target)
            #expect(error?.message.contains(target) == true)
            #expect(error?.message.contains("check free space and permissions of \(folder)/") == true)
            if !asRoot { #expect(try names(in: folder + "/readonly").isEmpty) }
        }
    }

    @Test func readingMissingFileIsNotFound() throws {
        try withScratchFolder { folder in
            let error = #expect(throws: CheckpointError.self) { try AtomicFile.read(folder + "/nothing") }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains(folder + "/nothing") == true)
        }
    }

    @Test func readsLargeFile() throws {
        try withScratchFolder { folder in
            let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try AtomicFile.write(bytes, to: folder + "/large")
            #expect(try AtomicFile.read(folder + "/large") == bytes)
        }
    }
}
