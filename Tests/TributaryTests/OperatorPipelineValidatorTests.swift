@testable import Tributary
import Foundation
import Testing

@Suite struct OperatorPipelineValidatorTests {
    /// A configuration with a files source in `root/incoming` and the given folders.
    private func config(_ root: String, checkpoint: String, deadLetters: String, output: String, extra: String = "") throws -> TributaryConfig {
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        return try ConfigLoader.parse("""
            checkpoint_dir = "\(checkpoint)"
            dead_letter_dir = "\(deadLetters)"
            [schema]
            fields = [{ name = "id", type = "string" }]
            [source.files]
            path = "incoming"
            \(extra)
            [sink.files]
            path = "\(output)"
            """, file: root + "/pipeline.toml")
    }

    @Test func foldersThatExistOrCanBeCreatedPass() throws {
        try withScratchFolder { root in
            try FileManager.default.createDirectory(atPath: root + "/existing", withIntermediateDirectories: true)
            // Nothing of a/b/c/d exists, but its nearest existing parent is a writable folder.
            let pipeline = try config(root, checkpoint: root + "/a/b/c/d", deadLetters: root + "/existing", output: "out/deep/er",
                                      extra: "clean_source = \"archive\"\narchive_dir = \"archive/x\"")
            #expect(PipelineValidator.check(pipeline) == [])
            // Checking creates nothing.
            #expect(!FileManager.default.fileExists(atPath: root + "/a"))
            #expect(!FileManager.default.fileExists(atPath: root + "/out"))
        }
    }

    @Test func aFolderUnderARegularFileIsReportedWithItsKey() throws {
        try withScratchFolder { root in
            try writeRaw("not a folder\n", to: root + "/plain")
            let pipeline = try config(root, checkpoint: root + "/plain/checkpoint", deadLetters: root + "/plain", output: root + "/plain/x/y",
                                      extra: "clean_source = \"archive\"\narchive_dir = \"plain/archive\"")
            let problems = PipelineValidator.check(pipeline)
            #expect(problems.map(\.key) == ["checkpoint_dir", "dead_letter_dir", "source.files.archive_dir", "sink.files.path"])
            let byKey = Dictionary(uniqueKeysWithValues: problems.map { ($0.key, $0.message) })
            #expect(byKey["checkpoint_dir"] == "\(root)/plain/checkpoint cannot be created: \(root)/plain is a file, not a folder; choose another path or move that file")
            #expect(byKey["dead_letter_dir"]?.contains("exists but is not a folder") == true)
            #expect(byKey["sink.files.path"]?.hasPrefix("\(root)/plain/x/y cannot be created: \(root)/plain is a file") == true)
        }
    }

    @Test func anInputFolderReplacedByAFileIsReported() throws {
        try withScratchFolder { root in
            let pipeline = try config(root, checkpoint: root + "/cp", deadLetters: root + "/dl", output: root + "/out")
            // The loader saw the folder; by the time of the check it is gone.
            try FileManager.default.removeItem(atPath: root + "/incoming")
            try writeRaw("", to: root + "/incoming")
            let problems = PipelineValidator.check(pipeline)
            #expect(problems.map(\.key) == ["source.files.path"])
            #expect(problems.first?.message.contains("is not a folder") == true)
        }
    }

    @Test func aCheckpointOfAnotherFormatVersionIsReported() throws {
        try withScratchFolder { root in
            try FileManager.default.createDirectory(atPath: root + "/cp", withIntermediateDirectories: true)
            try writeRaw("{\"id\":\"x\",\"created\":\"2026-01-01T00:00:00Z\",\"version\":9}\n", to: root + "/cp/metadata")
            let pipeline = try config(root, checkpoint: root + "/cp", deadLetters: root + "/dl", output: root + "/out")
            let problems = PipelineValidator.check(pipeline)
            #expect(problems.map(\.key) == ["checkpoint_dir"])
            #expect(problems.first?.message.contains("format version 9") == true)
        }
    }
}
