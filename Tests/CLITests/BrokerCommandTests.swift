import Foundation
import Testing

@Suite("tributary broker", .timeLimit(.minutes(4)))
struct BrokerCommandTests {
    @Test("serves kcat: produce and consume over loopback; loads files; stops on SIGTERM with status 0",
          .enabled(if: ChildProcess.which("kcat") != nil, "kcat is not installed"))
    func servesKcat() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let events = folder.appendingPathComponent("events.jsonl")
        try Data("{\"a\":1}\n{\"a\":2}\r\n\n{\"a\":3}".utf8).write(to: events)
        let bootstrapFile = folder.appendingPathComponent("bootstrap").path

        let (broker, output, _) = try ChildProcess.start(ChildProcess.tributaryPath, [
            "broker", "--topic", "t:3", "--topic", "loaded:1", "--load", "loaded=\(events.path)",
            "--bootstrap-file", bootstrapFile,
        ])
        defer { if broker.isRunning { broker.terminate() } }
        let address = ChildProcess.firstLine(of: output)
        #expect(address.hasPrefix("127.0.0.1:"))
        #expect(try String(contentsOfFile: bootstrapFile, encoding: .utf8) == address + "\n")

        let kcat = try #require(ChildProcess.which("kcat"))
        let listing = try ChildProcess.run(kcat, ["-L", "-b", address, "-t", "t"])
        #expect(listing.output.contains("topic \"t\" with 3 partitions"))

        let produced = try ChildProcess.run(kcat, ["-P", "-b", address, "-t", "t", "-p", "2"], input: "one\ntwo\nthree\n")
        #expect(produced.status == 0)
        let consumed = try ChildProcess.run(kcat, ["-C", "-b", address, "-t", "t", "-p", "2", "-o", "beginning", "-e", "-q", "-f", "%o:%s\n"])
        #expect(consumed.output == "0:one\n1:two\n2:three\n")

        let loaded = try ChildProcess.run(kcat, ["-C", "-b", address, "-t", "loaded", "-o", "beginning", "-e", "-q", "-f", "%s\n"])
        #expect(loaded.output == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", "blank lines skipped, CRLF and a missing last newline handled")

        broker.terminate()  // SIGTERM
        broker.waitUntilExit()
        #expect(broker.terminationReason == .exit)
        #expect(broker.terminationStatus == 0)
    }

    @Test("a --load naming a topic not created is refused with a hint")
    func loadNeedsTopic() throws {
        let result = try ChildProcess.run(ChildProcess.tributaryPath, ["broker", "--load", "x=/dev/null"])
        #expect(result.status != 0)
        #expect(result.errors.contains("add --topic x:PARTITIONS"))
    }
}
