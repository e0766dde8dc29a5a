import Foundation
import Glibc
import Testing

/// A damaged checkpoint and a second process under a real `tributary run`: the run refuses to
/// start, names the file or the holder and the remedy, and changes nothing.
@Suite("Damaged or shared checkpoint", .timeLimit(.minutes(4)))
struct CheckpointFaultTests {
    /// Damage to one checkpoint file after a committed batch: the file and what is written in
    /// its place.
    static let damage: [(file: String, content: String)] = [
        ("commits/0", #"{"batch":0,"committed_at":"2025-11-20T1"#),        // cut short
        ("offsets/0", #"{"batch":0,"batch_time":"x","kafka":[],"files":"#),  // cut short
        ("offsets/0", #"{"batch":"zero","batch_time":"x","kafka":[],"files":[],"data_loss":[]}"#),  // hand-edited
        ("metadata", #"{"id":"5","version":"one"}"#),                          // hand-edited
    ]

    @Test("a truncated or hand-edited checkpoint file stops the run with an error naming it and the remedy; nothing is reset", arguments: damage)
    func damagedFile(file: String, content: String) throws {
        let scene = try FaultScene(files: 2, good: 5)
        defer { scene.remove() }
        let first = try scene.run()
        #expect(first.status == 0, "\(first.errors)")
        let path = "\(scene.root)/checkpoint/\(file)"
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        let before = try snapshot(scene.root + "/checkpoint")
        // New input, which a silent reset would read (and the old input again with it).
        try Data("{\"visit_id\":\"new\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n".utf8).write(to: URL(fileURLWithPath: scene.root + "/incoming/new.jsonl"))

        let refused = try scene.run()
        #expect(refused.status == 1, "\(refused.errors)")
        #expect(refused.errors.contains("checkpoint file \(path) is corrupt ("), "\(refused.errors)")
        #expect(refused.errors.contains("restore it from a backup or remove the checkpoint folder to start over"), "\(refused.errors)")
        #expect(try snapshot(scene.root + "/checkpoint") == before, "the checkpoint is left as it was")
        #expect(try scene.outputCounts().keys.contains("new") == false)
        try scene.expectExactlyOnce()
    }

    @Test("a second `tributary run` on the same checkpoint refuses to start, naming the first one's pid")
    func secondProcessRefused() throws {
        let scene = try FaultScene(files: 1, good: 3)
        defer { scene.remove() }
        try Data(TestPipeline.toml(trigger: "200ms", sources: TestPipeline.filesSource).utf8).write(to: URL(fileURLWithPath: scene.config))
        let (first, _, _) = try ChildProcess.start(ChildProcess.tributaryPath, ["run", "--config", scene.config, "--log-level", "error"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(20)
        while scene.batches("commits").isEmpty && first.isRunning && Date() < deadline { usleep(20_000) }
        #expect(scene.batches("commits") == [0])

        let second = try scene.run()
        #expect(second.status == 1, "\(second.errors)")
        #expect(second.errors.contains("checkpoint \(scene.root)/checkpoint is in use by another Tributary process (pid \(first.processIdentifier), since "), "\(second.errors)")
        #expect(second.errors.contains("stop it first or use another checkpoint_dir"), "\(second.errors)")
        #expect(first.isRunning, "the first process is not disturbed")

        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        try scene.expectExactlyOnce()
    }

    /// Every file under `folder` (hidden temp files aside) with its content.
    private func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue, name != "lock" else { continue }
            files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return files
    }
}
