@testable import Tributary
import Foundation
import Glibc
import Testing

@Suite struct OperatorDeadLetterReaderTests {
    /// Writes `letters` with the engine's writer, as `BatchRunner` does.
    private func write(_ letters: [DeadLetter], batch: Int64, to path: String, extra: String = "") throws {
        var buffer: [UInt8] = []
        for letter in letters { letter.appendJSON(batch: batch, time: "2026-11-21T20:13:49.777055Z", to: &buffer) }
        buffer += Array(extra.utf8)
        try Data(buffer).write(to: URL(fileURLWithPath: path))
    }

    @Test func readsWhatTheWriterWritesAndReportsAMalformedLine() throws {
        try withScratchFolder { folder in
            let notUTF8: [UInt8] = [0x7B, 0xFF, 0xFE, 0x7D]
            try write([
                DeadLetter(raw: Array("{\"id\":\"a\",\"at\":\"yesterday\"}".utf8), reason: "field at: expected timestamp, got \"yesterday\"",
                           stage: .schema, origin: .file(path: "/in/h1.jsonl", line: 41, byteOffset: 4832)),
                DeadLetter(raw: Array("{\"id\":".utf8), reason: "record of 5000 bytes is longer than max_record_bytes (4000)",
                           stage: .decode, origin: .file(path: "/in/h1.jsonl", line: 42, byteOffset: 4900), length: 5000),
            ], batch: 10, to: folder + "/10-files.jsonl", extra: "{\"batch\":10,\"oops\"\n")
            try write([
                DeadLetter(raw: notUTF8, reason: "invalid UTF-8", stage: .decode,
                           origin: .kafka(topic: "visits", partition: 2, offset: 77, key: Array("k-1".utf8))),
                DeadLetter(raw: [], reason: "record has a null value (a tombstone), not a JSON object", stage: .decode,
                           origin: .kafka(topic: "visits", partition: 0, offset: 3, key: nil)),
            ], batch: 9, to: folder + "/9-kafka.jsonl")
            // Not dead-letter files: a writer's temporary file, a sub-folder, another extension.
            try write([DeadLetter(raw: [], reason: "hidden", stage: .decode, origin: .file(path: "/x", line: 1, byteOffset: 0))],
                      batch: 11, to: folder + "/.11-files.jsonl.1.abc.tmp")
            try FileManager.default.createDirectory(atPath: folder + "/replayed", withIntermediateDirectories: true)
            try writeRaw("{}\n", to: folder + "/replayed/1-files.jsonl")
            try writeRaw("notes\n", to: folder + "/README.txt")

            let (entries, problems) = try DeadLetterReader.read(folder: folder)
            // Batch 9 sorts before batch 10 although "10-" < "9-" as text.
            #expect(entries.map(\.batch) == [9, 9, 10, 10])
            #expect(entries.map(\.line) == [1, 2, 1, 2])

            let binary = entries[0]
            #expect(binary.source == .kafka(topic: "visits", partition: 2, offset: 77, key: "k-1"))
            #expect(binary.raw == nil)
            #expect(binary.rawBase64 == Data(notUTF8).base64EncodedString())
            #expect(binary.rawBytes == notUTF8)
            #expect(binary.stage == "decode")
            #expect(binary.file == folder + "/9-kafka.jsonl")
            #expect(entries[1].source == .kafka(topic: "visits", partition: 0, offset: 3, key: nil))
            #expect(entries[1].raw == "")

            let schema = entries[2]
            #expect(schema.source == .file(path: "/in/h1.jsonl", line: 41, byteOffset: 4832))
            #expect(schema.reason == "field at: expected timestamp, got \"yesterday\"")
            #expect(schema.raw == "{\"id\":\"a\",\"at\":\"yesterday\"}")
            #expect(schema.time == "2026-11-21T20:13:49.777055Z")
            #expect(schema.stage == "schema")
            #expect(!schema.isTruncated)
            #expect(entries[3].length == 5000)
            #expect(entries[3].isTruncated)

            #expect(problems.count == 1)
            #expect(problems.first?.file == folder + "/10-files.jsonl")
            #expect(problems.first?.line == 3)
            #expect(problems.first?.description.hasPrefix("\(folder)/10-files.jsonl line 3: ") == true)
        }
    }

    @Test func linesThatAreJSONButNotDeadLettersAreProblems() {
        let text = """
            [1,2]
            {"batch":"one","stage":"schema","reason":"r","source":{"type":"file","file":"/f","line":1}}
            {"batch":1,"stage":"schema","reason":"r","source":{"type":"carrier-pigeon"}}
            {"batch":1,"stage":"schema","reason":"r","source":{"type":"kafka","topic":"t"}}
            {"batch":1,"stage":"schema","source":{"type":"file","file":"/f","line":1}}

            {"batch":1,"stage":"schema","reason":"fine","source":{"type":"file","file":"/f","line":1},"raw":"x"}
            """
        let (entries, problems) = DeadLetterReader.parse(Array(text.utf8), file: "/dl/1-files.jsonl")
        #expect(entries.map(\.reason) == ["fine"])
        #expect(entries.first?.line == 7)
        #expect(problems.map(\.line) == [1, 2, 3, 4, 5])
        #expect(problems[0].message.contains("not a JSON object"))
        #expect(problems[1].message.contains("'batch'"))
        #expect(problems[2].message.contains("carrier-pigeon"))
        #expect(problems[4].message.contains("missing field 'reason'"))
    }

    @Test func aMissingFolderIsAnErrorNamingIt() {
        #expect(throws: FileIOError.self) { try DeadLetterReader.read(folder: "/nonexistent/dead-letter") }
        do {
            _ = try DeadLetterReader.read(folder: "/nonexistent/dead-letter")
        } catch let error as FileIOError {
            #expect(error.errno == ENOENT)
            #expect(error.path == "/nonexistent/dead-letter")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
