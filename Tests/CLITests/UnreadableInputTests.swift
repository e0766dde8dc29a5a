import Foundation
import Glibc
import Testing

/// An input file the service user cannot read, under a real `tributary run` as an
/// unprivileged user (root reads anything, so permissions only bite for another user).
@Suite("Unreadable input file", .timeLimit(.minutes(4)))
struct UnreadableInputTests {
    @Test("a file without read permission: one dead letter names it, the rest commits; dropped again under a new name it is read")
    func unreadableFile() throws {
        let setpriv = try #require(ChildProcess.which("setpriv"), "util-linux setpriv runs the child as an unprivileged user")
        let asNobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        let scene = try FaultScene(files: 2, good: 5)
        defer { scene.remove() }
        try ChildProcess.run("/bin/chown", ["-R", "65534:65534", scene.root])
        let locked = scene.root + "/incoming/h1.jsonl"
        #expect(chmod(locked, 0o000) == 0)

        let first = try scene.run(wrapper: asNobody)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.errors.contains("cannot read \(locked): cannot open \(locked): Permission denied; recorded as a dead letter and moving on"), "\(first.errors)")
        #expect(try scene.outputCounts() == Dictionary(uniqueKeysWithValues: (0..<5).map { ("f0-\($0)", 1) }))
        let letters = try scene.deadLetterCounts()
        #expect(letters.count == 2 && letters[""] == 1, "h0's bad record and one stand-in for h1: \(letters)")
        let text = try String(contentsOfFile: scene.root + "/checkpoint/progress/0", encoding: .utf8)
        #expect(text.contains("\"rows_read\":7,\"rows_written\":5,\"rows_filtered\":0,\"rows_dead_lettered\":2"), "\(text)")

        // Readable again, it is still known as taken; under a new name it is new input.
        #expect(chmod(locked, 0o644) == 0)
        #expect(try scene.run(wrapper: asNobody).status == 0)
        #expect(scene.batches("commits") == [0])
        #expect(rename(locked, scene.root + "/incoming/h1-again.jsonl") == 0)
        #expect(try scene.run(wrapper: asNobody).status == 0)
        #expect(scene.batches("commits") == [0, 1])
        let output = try scene.outputCounts()
        #expect(Set(output.keys) == scene.goodIDs)
        #expect(output.values.allSatisfy { $0 == 1 })
    }
}
