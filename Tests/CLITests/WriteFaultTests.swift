import Foundation
import Glibc
import Testing

/// The output, dead-letter and checkpoint folders failing under a real `tributary run`: full
/// (a file size limit, RLIMIT_FSIZE, set with prlimit) or unwritable (permissions revoked in
/// the middle of the batch). The batch must not commit, the error must name the path, and a
/// run after the fault is removed must complete the batch with nothing lost or doubled.
@Suite("Unwritable and full output, dead-letter and checkpoint folders", .serialized, .timeLimit(.minutes(4)))
struct WriteFaultTests {
    /// What the failed run must have left: exit status 1, the error naming `path` and
    /// `reason`, the batch planned and not committed.
    private func expectFailedBatch(_ scene: FaultScene, _ result: (status: Int32, output: String, errors: String), path: String, reason: String) {
        #expect(result.status == 1, "\(result.errors)")
        #expect(result.errors.contains(path), "the error names \(path): \(result.errors)")
        #expect(result.errors.contains(reason), "\(result.errors)")
        #expect(result.errors.contains("check free space"), "the error says what to do: \(result.errors)")
        #expect(scene.batches("offsets") == [0])
        #expect(scene.batches("commits").isEmpty, "the batch must not commit")
    }

    @Test("output folder full (file size limit): batch 0 fails naming the output file, then completes exactly once")
    func outputFull() throws {
        let scene = try FaultScene(files: 3, good: 40)
        defer { scene.remove() }
        // 120 output rows are about 8 kB; every other file (plan, dead letters, files log) stays
        // under 4 kB.
        let failed = try scene.run(wrapper: ["/usr/bin/prlimit", "--fsize=4096", "--"])
        expectFailedBatch(scene, failed, path: scene.root + "/output/", reason: "File too large")
        #expect(try scene.outputCounts().isEmpty)

        let again = try scene.run()
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.errors.contains("batch 0 was planned but not committed: running it again with its recorded ranges"), "\(again.errors)")
        #expect(scene.batches("commits") == [0])
        try scene.expectExactlyOnce()
    }

    @Test("dead-letter folder full (file size limit): the written output is not committed; the re-run replaces it, exactly once")
    func deadLetterFull() throws {
        // Bad records of 3 kB: the dead-letter file passes the 4 kB limit, the output does not.
        let scene = try FaultScene(files: 3, good: 5, badBytes: 3_000)
        defer { scene.remove() }
        let failed = try scene.run(wrapper: ["/usr/bin/prlimit", "--fsize=4096", "--"])
        expectFailedBatch(scene, failed, path: scene.root + "/dead-letter/0-files.jsonl", reason: "File too large")

        let again = try scene.run()
        #expect(again.status == 0, "\(again.errors)")
        #expect(scene.batches("commits") == [0])
        try scene.expectExactlyOnce()
    }

    /// Folders (relative to the scene) whose write permission is taken away in the middle of
    /// batch 0, with the path the error must name.
    static let revoked: [(folder: String, named: String)] = [
        ("output", "/output/"),
        ("dead-letter", "/dead-letter/"),
        ("checkpoint/commits", "/checkpoint/commits/0"),
    ]

    @Test("a folder made unwritable in the middle of the batch: it fails naming the path, then completes exactly once", arguments: revoked)
    func unwritableMidBatch(folder: String, named: String) throws {
        let setpriv = try #require(ChildProcess.which("setpriv"), "util-linux setpriv runs the child as an unprivileged user")
        let scene = try FaultScene(files: 3, good: 10)
        defer { scene.remove() }
        // Tests run as root, which permissions do not stop: the child runs as nobody on
        // folders nobody owns, and loses write permission while the batch is in flight.
        try FileManager.default.createDirectory(atPath: scene.root + "/dead-letter", withIntermediateDirectories: true)
        try ChildProcess.run("/bin/chown", ["-R", "65534:65534", scene.root])
        let asNobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        // Pauses at the batch's phase boundaries leave time to revoke after the write-ahead.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = Array(asNobody.dropFirst()) + [ChildProcess.tributaryPath, "run", "--config", scene.config]
        process.environment = ProcessInfo.processInfo.environment.merging(["TRIBUTARY_TEST_PHASE_DELAY_MS": "700"]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while scene.batches("offsets").isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(chmod(scene.root + "/" + folder, 0o500) == 0)
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        expectFailedBatch(scene, (process.terminationStatus, "", text), path: scene.root + named, reason: "Permission denied")

        #expect(chmod(scene.root + "/" + folder, 0o700) == 0)
        let again = try scene.run(wrapper: asNobody)
        #expect(again.status == 0, "\(again.errors)")
        #expect(scene.batches("commits") == [0])
        try scene.expectExactlyOnce()
    }
}
