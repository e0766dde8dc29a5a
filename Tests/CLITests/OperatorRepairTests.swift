import Foundation
import Testing

/// The repairing commands, on checkpoints made by real runs: dead-letter replay (with a record
/// fixed through --edit-with) and checkpoint reset, and their refusal while another process
/// holds the checkpoint.
@Suite("Operator repair commands", .timeLimit(.minutes(4)))
struct OperatorRepairTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-repair-\(UUID().uuidString)").path

    func tributary(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try ChildProcess.run(ChildProcess.tributaryPath, arguments)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = root + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func config(sources: String) throws -> String {
        try write("pipeline.toml", TestPipeline.toml(sources: sources))
    }

    func outputIDs() throws -> [String] {
        let folder = root + "/output"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jsonl") }.flatMap { file in
            try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n").map { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["visit_id"] as! String
            }
        }.sorted()
    }

    @Test("dead-letter replay --edit-with fixes a record: it lands once, leaves the pending dead letters, and a second replay finds nothing")
    func replayWithEdit() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        _ = try write("incoming/a.jsonl", "{\"visit_id\":\"a\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n{\"visit_id\":\"b\",\"event_time\":\"yesterday\"}\n")
        let config = try config(sources: "[source.files]\npath = \"incoming\"\nmin_file_age = \"0s\"")
        #expect(try tributary(["run", "--config", config]).status == 0)
        #expect(try outputIDs() == ["a"])

        // While another process holds the checkpoint, replay refuses and changes nothing.
        let holder = try ChildProcess.holdLock(root + "/checkpoint/lock")
        let refused = try tributary(["dead-letter", "replay", "--config", config])
        holder.terminate()
        holder.waitUntilExit()
        #expect(refused.status == 1)
        #expect(refused.errors.contains("in use by another Tributary process"))
        #expect(try outputIDs() == ["a"])

        let replay = try tributary(["dead-letter", "replay", "--config", config, "--reason", "expected timestamp",
                                    "--edit-with", "sed -i s/yesterday/2025-11-19T10:00:00Z/"])
        #expect(replay.status == 0, "\(replay.errors)")
        #expect(replay.output.contains("replayed 1 record(s) as batch 1: 1 written, 0 filtered, 0 rejected again"))
        #expect(try outputIDs() == ["a", "b"])
        let list = try tributary(["dead-letter", "list", "--config", config])
        #expect(list.output.contains("no dead letters in"), "\(list.output)")
        #expect(FileManager.default.fileExists(atPath: root + "/dead-letter/replayed/0-files.jsonl"))

        let again = try tributary(["dead-letter", "replay", "--config", config])
        #expect(again.status == 0)
        #expect(again.output.contains("no dead letters to replay"))
        #expect(try outputIDs() == ["a", "b"], "nothing replayed twice")
    }

    @Test("checkpoint reset --to-earliest re-reads the retained topic; --to-offsets moves one partition; both refuse while the checkpoint is held")
    func reset() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let events = try write("events.jsonl", (0..<6).map { "{\"visit_id\":\"e\($0)\",\"event_time\":1700000000000}" }.joined(separator: "\n"))
        let (broker, brokerOut, _) = try ChildProcess.start(ChildProcess.tributaryPath, ["broker", "--topic", "visits:2", "--load", "visits=\(events)"])
        defer { broker.terminate(); broker.waitUntilExit() }
        let bootstrap = ChildProcess.firstLine(of: brokerOut)
        let config = try config(sources: "[source.kafka]\nbootstrap_servers = \"\(bootstrap)\"\ntopics = [\"visits\"]")
        #expect(try tributary(["run", "--config", config]).status == 0)
        #expect(try outputIDs().count == 6)

        let toEarliest = try tributary(["checkpoint", "reset", "--config", config, "--to-earliest"])
        #expect(toEarliest.status == 0, "\(toEarliest.errors)")
        #expect(toEarliest.output.contains("visits[0] offset 0") && toEarliest.output.contains("visits[1] offset 0"))
        #expect(try tributary(["run", "--config", config]).status == 0)
        #expect(try outputIDs().count == 12, "every retained record once more")

        let toOffsets = try tributary(["checkpoint", "reset", "--config", config, "--to-offsets", #"{"visits":{"1":2}}"#])
        #expect(toOffsets.status == 0, "\(toOffsets.errors)")
        #expect(toOffsets.output.contains("visits[0] offset 3") && toOffsets.output.contains("visits[1] offset 2"))
        #expect(try tributary(["run", "--config", config]).status == 0)
        #expect(try outputIDs().count == 13, "partition 1 from offset 2: one record again")

        // While another process holds the checkpoint lock, both repair commands refuse.
        let holder = try ChildProcess.holdLock(root + "/checkpoint/lock")
        defer { holder.terminate(); holder.waitUntilExit() }
        let refused = try tributary(["checkpoint", "reset", "--config", config, "--to-earliest"])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("in use by another Tributary process"))
    }
}
