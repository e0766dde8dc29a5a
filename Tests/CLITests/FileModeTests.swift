import Foundation
import Glibc
import Testing

/// The permission bits of what a real run writes: output and dead letters `file_mode`
/// (0640 by default) with folders to match, the checkpoint 0600 files in 0700 folders, and
/// the umask changing none of it.
@Suite("File modes", .timeLimit(.minutes(4)))
struct FileModeTests {
    /// Runs an available-now pipeline (a file with good records, one bad record, and a
    /// duplicate for the dedupe state) under `umask`, with `top` added to the configuration.
    func run(umask: String, top: String = "", sink: String = "[sink.files]\npath = \"output\"") throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-modes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        let lines = [
            "{\"visit_id\":\"a\",\"event_time\":\"2025-11-20T10:00:00Z\"}",
            "{\"visit_id\":\"b\",\"event_time\":\"2025-11-20T11:00:00Z\"}",
            "{\"visit_id\":\"a\",\"event_time\":\"2025-11-20T12:00:00Z\"}",
            "{\"visit_id\":\"c\",\"event_time\":\"later\"}",
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: root + "/incoming/h1.jsonl"))
        let config = root + "/pipeline.toml"
        try Data(TestPipeline.toml(top: top, sources: TestPipeline.filesSource + """

            [[transform]]
            dedupe = { key = ["visit_id"], within = "1h" }
            """, sink: sink).utf8).write(to: URL(fileURLWithPath: config))
        // The umask is per process: set it in a shell that then becomes the pipeline, so the
        // test process (and the tests running beside it) keep theirs.
        let result = try ChildProcess.run("/bin/sh", ["-c", "umask \(umask) && exec \"$0\" \"$@\"", ChildProcess.tributaryPath, "run", "--config", config])
        #expect(result.status == 0, "\(result.errors)")
        return root
    }

    /// The permission bits of `path` (not following a final symlink).
    func mode(_ path: String) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0o7777 }
        return info.st_mode & 0o7777
    }

    /// Every file and folder under `folder` (itself included) with its mode in octal, for
    /// messages and comparisons.
    func modes(under folder: String) -> [String: String] {
        var result = [folder: String(mode(folder), radix: 8)]
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return result }
        while let relative = walker.nextObject() as? String {
            result[folder + "/" + relative] = String(mode(folder + "/" + relative), radix: 8)
        }
        return result
    }

    func isFolder(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Checks that every file under `folder` has `file` and every folder `folderMode`.
    func expectModes(under folder: String, file: mode_t, folder folderMode: mode_t, sourceLocation: SourceLocation = #_sourceLocation) {
        let all = modes(under: folder)
        #expect(all.count > 1, "nothing under \(folder)", sourceLocation: sourceLocation)
        let wrong = all.filter { path, text in
            let expected = isFolder(path) ? folderMode : file
            return text != String(expected, radix: 8)
        }
        #expect(wrong.isEmpty, "expected files \(String(file, radix: 8)), folders \(String(folderMode, radix: 8)); wrong: \(wrong.sorted { $0.key < $1.key })", sourceLocation: sourceLocation)
    }

    @Test("default: output and dead letters 0640 in 0750 folders, checkpoint 0600 in 0700, even with umask 000")
    func defaults() throws {
        let root = try run(umask: "000")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(FileManager.default.fileExists(atPath: root + "/output/_manifest/0.json"))
        #expect(FileManager.default.fileExists(atPath: root + "/dead-letter/0-files.jsonl"))
        #expect(FileManager.default.fileExists(atPath: root + "/checkpoint/lock"))
        #expect(filesUnder(root + "/checkpoint").contains { $0.contains("/state/dedupe-") }, "no dedupe state written")
        expectModes(under: root + "/output", file: 0o640, folder: 0o750)
        expectModes(under: root + "/dead-letter", file: 0o640, folder: 0o750)
        expectModes(under: root + "/checkpoint", file: 0o600, folder: 0o700)
    }

    @Test("file_mode = \"0644\" under umask 077: exactly 0644 files and 0755 folders; the checkpoint stays 0600/0700")
    func configured() throws {
        let root = try run(umask: "077", top: "file_mode = \"0644\"", sink: "[sink.files]\npath = \"output\"\npartition_by = \"event_time\"")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(isFolder(root + "/output/event_time=2025-11-20"), "\(modes(under: root + "/output").keys.sorted())")
        expectModes(under: root + "/output", file: 0o644, folder: 0o755)
        expectModes(under: root + "/dead-letter", file: 0o644, folder: 0o755)
        expectModes(under: root + "/checkpoint", file: 0o600, folder: 0o700)
    }

    @Test("file_mode = \"0600\": owner only, folders 0700")
    func ownerOnly() throws {
        let root = try run(umask: "022", top: "file_mode = \"0600\"")
        defer { try? FileManager.default.removeItem(atPath: root) }
        expectModes(under: root + "/output", file: 0o600, folder: 0o700)
        expectModes(under: root + "/dead-letter", file: 0o600, folder: 0o700)
    }
}
