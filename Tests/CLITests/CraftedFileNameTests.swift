import Foundation
import Glibc
import Testing

/// Input files whose names hold newlines, quotes, backslashes, `..`, control characters,
/// non-ASCII text or 255 bytes are read once, archived inside `archive_dir` under their own
/// names, recorded faithfully in the processed-files log, and never read again after a
/// restart; a name that is not UTF-8 is left alone with a warning.
@Suite("Crafted input file names", .timeLimit(.minutes(4)))
struct CraftedFileNameTests {
    /// Names a file can really have on Linux (a `/` cannot be in a name, so `../x` becomes
    /// backslashes and dots, which must stay literal).
    static let names: [String] = [
        "new\nline.jsonl",
        "x..\\..\\..\\escape.jsonl",
        "quote\"and'apostrophe.jsonl",
        "tab\tand\u{1B}[31mescape.jsonl",
        " leading space and trailing.jsonl",
        "{\"path\":\"forged\"}.jsonl",
        "ünïcødé 日本語.jsonl",
        String(repeating: "L", count: 255 - ".jsonl".count) + ".jsonl",
    ]

    /// Lays out input files (3 records each, the second file's ids shared by no other) and a
    /// file whose name is not UTF-8; returns the expected visit ids.
    func prepare(_ root: String, clean: String) throws -> (config: String, ids: Set<String>) {
        let incoming = root + "/incoming"
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        var ids: Set<String> = []
        for (index, name) in Self.names.enumerated() {
            #expect(name.utf8.count <= 255)
            let lines = (0..<3).map { "{\"visit_id\":\"n\(index)-\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}" }
            ids.formUnion((0..<3).map { "n\(index)-\($0)" })
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: incoming + "/" + name))
        }
        // Bytes 0xFF 0xFE are never UTF-8: written with open(2), as Foundation cannot name it.
        var raw = Array((incoming + "/bad").utf8) + [0xFF, 0xFE] + Array(".jsonl".utf8) + [0]
        let descriptor = raw.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        }
        #expect(descriptor >= 0)
        let line = Array("{\"visit_id\":\"never\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n".utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        let config = root + "/pipeline.toml"
        try Data(TestPipeline.toml(sources: """
            [source.files]
            path = "incoming"
            min_file_age = "0s"
            max_files_per_trigger = 3
            clean_source = "\(clean)"
            \(clean == "archive" ? "archive_dir = \"archive\"" : "")
            """).utf8).write(to: URL(fileURLWithPath: config))
        return (config, ids)
    }

    /// Every line of every file under `folder` parsed as JSON (and every whole file that is
    /// one JSON document); throws on the first that is not.
    func parseJSONLines(under folder: String) throws -> [[String: Any]] {
        var objects: [[String: Any]] = []
        for file in filesUnder(folder) where !file.hasSuffix("/lock") {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            if let whole = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                objects.append(whole)
                continue
            }
            for line in data.split(separator: UInt8(ascii: "\n")) {
                do {
                    objects.append(try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any])
                } catch {
                    Issue.record("\(file): a line is not JSON: \(String(decoding: line, as: UTF8.self).debugDescription)")
                }
            }
        }
        return objects
    }

    /// The entries of the processed-files log (and its snapshot), by path.
    func filesLogPaths(_ root: String) throws -> Set<String> {
        Set(try parseJSONLines(under: root + "/checkpoint/sources").compactMap { $0["path"] as? String })
    }

    func run(_ config: String) throws -> (status: Int32, output: String, errors: String) {
        try ChildProcess.run(ChildProcess.tributaryPath, ["run", "--config", config])
    }

    @Test("clean_source = archive: every crafted name read once, archived inside archive_dir, logs stay JSON lines, a restart reads nothing")
    func archive() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-names-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (config, ids) = try prepare(root, clean: "archive")

        let first = try run(config)
        #expect(first.status == 0, "\(first.errors)")
        let rows = try committedOutput(root + "/output")
        #expect(rows.count == ids.count)
        #expect(Set(rows.map { $0["visit_id"] as! String }) == ids)
        // Archived under their own names, inside archive_dir; only the undecodable one stays.
        let archived = Set(try FileManager.default.contentsOfDirectory(atPath: root + "/archive"))
        #expect(archived == Set(Self.names))
        let left = try FileManager.default.contentsOfDirectory(atPath: root + "/incoming")
        #expect(left.count == 1 && left[0].hasPrefix("bad"), "\(left)")
        // Nothing landed next to the pipeline's folders or above them.
        let top = Set(try FileManager.default.contentsOfDirectory(atPath: root))
        #expect(top.isSubset(of: ["incoming", "archive", "checkpoint", "output", "dead-letter", "pipeline.toml"]), "\(top)")
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("escape.jsonl").path))
        // The checkpoint's logs record each name exactly and stay one JSON object a line.
        let logged = try filesLogPaths(root)
        #expect(logged == Set(Self.names.map { root + "/incoming/" + $0 }), "\(logged.sorted())")
        _ = try parseJSONLines(under: root + "/checkpoint/progress")
        _ = try parseJSONLines(under: root + "/checkpoint/offsets")
        _ = try parseJSONLines(under: root + "/checkpoint/commits")
        // The non-UTF-8 name is reported (once), with what to do.
        let warnings = first.errors.split(separator: "\n").filter { $0.contains("not valid UTF-8") }
        #expect(warnings.count == 1, "\(first.errors)")
        #expect(warnings.first?.contains("rename it") == true)
        // Log lines stay one line each, whatever the names hold.
        #expect(!first.errors.contains("\u{1B}"), "a raw escape character reached the log")

        let batches = try FileManager.default.contentsOfDirectory(atPath: root + "/checkpoint/offsets").count
        let second = try run(config)
        #expect(second.status == 0, "\(second.errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/checkpoint/offsets").count == batches, "a restart planned a new batch")
        #expect(try committedOutput(root + "/output").count == ids.count)
    }

    @Test("clean_source = off: a restart recognises every crafted name in the processed-files log and reads none again")
    func restartWithoutCleaning() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-names-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (config, ids) = try prepare(root, clean: "off")

        let first = try run(config)
        #expect(first.status == 0, "\(first.errors)")
        #expect(try committedOutput(root + "/output").count == ids.count)
        let batches = try FileManager.default.contentsOfDirectory(atPath: root + "/checkpoint/offsets").count
        #expect(batches == 3, "8 files, 3 a batch")
        for _ in 0..<2 {
            let again = try run(config)
            #expect(again.status == 0, "\(again.errors)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/checkpoint/offsets").count == batches, "a restart read files again: \(again.errors)")
        }
        let rows = try committedOutput(root + "/output")
        #expect(rows.count == ids.count)
        #expect(Set(rows.map { $0["visit_id"] as! String }) == ids)
        #expect(try filesLogPaths(root) == Set(Self.names.map { root + "/incoming/" + $0 }))
    }
}
