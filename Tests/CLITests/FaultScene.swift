import Foundation
import Testing

/// A pipeline folder for fault tests of `tributary run`: input files with known good and bad
/// records, and what a run left behind (committed output, dead letters, checkpoint files).
struct FaultScene {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-fault-\(UUID().uuidString)").path
    private(set) var goodIDs: Set<String> = []
    private(set) var badRaw: Set<String> = []
    var config: String { root + "/pipeline.toml" }

    /// Writes `files` input files of `good` records each plus one bad record (a timestamp that
    /// does not parse) padded to `badBytes`, and the configuration: available-now, every
    /// file in one batch.
    init(files: Int = 3, good: Int = 20, badBytes: Int = 0) throws {
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        for file in 0..<files {
            var lines = (0..<good).map { "{\"visit_id\":\"f\(file)-\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}" }
            let bad = "{\"visit_id\":\"bad\(file)\",\"event_time\":\"never\",\"note\":\"\(String(repeating: "z", count: badBytes))\"}"
            lines.insert(bad, at: good / 2)
            goodIDs.formUnion((0..<good).map { "f\(file)-\($0)" })
            badRaw.insert(bad)
            let path = "\(root)/incoming/h\(file).jsonl"
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60 + Double(file))], ofItemAtPath: path)
        }
        try Data(TestPipeline.toml(sources: TestPipeline.filesSource + "\nmax_files_per_trigger = \(files)").utf8)
            .write(to: URL(fileURLWithPath: config))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Runs `tributary run` on the scene to completion, behind `wrapper` (e.g. prlimit).
    func run(wrapper: [String] = [], environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let command = wrapper + [ChildProcess.tributaryPath, "run", "--config", config]
        return try ChildProcess.run(command[0], Array(command.dropFirst()), environment: environment)
    }

    /// The batch ids in a checkpoint folder ("offsets", "commits").
    func batches(_ folder: String) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/checkpoint/\(folder)")) ?? []).compactMap { Int($0) }.sorted()
    }

    /// How many times each record id is in the committed output (the files the manifests list).
    func outputCounts() throws -> [String: Int] {
        var seen: [String: Int] = [:]
        let output = root + "/output"
        let manifests = (try? FileManager.default.contentsOfDirectory(atPath: output + "/_manifest")) ?? []
        for manifest in manifests where !manifest.hasPrefix(".") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(output)/_manifest/\(manifest)"))) as! [String: Any]
            for file in object["files"] as! [[String: Any]] {
                for line in try String(contentsOfFile: "\(output)/\(file["path"] as! String)", encoding: .utf8).split(separator: "\n") {
                    let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                    seen[row["visit_id"] as! String, default: 0] += 1
                }
            }
        }
        return seen
    }

    /// How many times each raw bad record is in the dead letters.
    func deadLetterCounts() throws -> [String: Int] {
        var seen: [String: Int] = [:]
        let folder = root + "/dead-letter"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".jsonl") && !file.hasPrefix(".") {
            for line in try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8).split(separator: "\n") {
                let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                seen[entry["raw"] as! String, default: 0] += 1
            }
        }
        return seen
    }

    /// Every good record once in the output, every bad one once in the dead letters, and each
    /// committed batch's accounts balanced.
    func expectExactlyOnce(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let output = try outputCounts()
        #expect(Set(output.keys) == goodIDs, sourceLocation: sourceLocation)
        #expect(output.values.allSatisfy { $0 == 1 }, "doubled: \(output.filter { $0.value > 1 }.keys.sorted())", sourceLocation: sourceLocation)
        let letters = try deadLetterCounts()
        #expect(Set(letters.keys) == badRaw, sourceLocation: sourceLocation)
        #expect(letters.values.allSatisfy { $0 == 1 }, sourceLocation: sourceLocation)
        for batch in batches("commits") {
            let text = try String(contentsOfFile: "\(root)/checkpoint/progress/\(batch)", encoding: .utf8)
            let report = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            let accounted = (report["rows_written"] as! Int) + (report["rows_filtered"] as! Int) + (report["rows_dead_lettered"] as! Int)
            #expect(report["rows_read"] as? Int == accounted, "batch \(batch): \(text)", sourceLocation: sourceLocation)
        }
    }
}
