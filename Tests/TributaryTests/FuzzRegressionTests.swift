@testable import Tributary
import Foundation
import Testing

/// The fuzz targets' seed corpora (Fuzz/Corpus) must stay realistic inputs that reach deep into
/// the readers, not early rejections: these tests fail when a format change leaves them stale.
/// Inputs a fuzz run found crashing are replayed here too, each with what it must give instead.
@Suite struct FuzzRegressionTests {
    private static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus")

    private func seed(_ target: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(target).appendingPathComponent(name)))
    }

    /// Lays out a checkpoint seed as the checkpoint target does: files separated by 0x1E, an empty one absent.
    private func writeCheckpoint(_ input: [UInt8], in folder: String) throws -> [[UInt8]] {
        let parts = input.split(separator: 0x1E, omittingEmptySubsequences: false).map(Array.init)
        let names = ["metadata", "offsets/0", "commits/0", "sources/files/snapshot", "sources/files/log", "progress/0"]
        for name in ["offsets", "commits", "progress", "sources/files"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
        }
        for (part, name) in zip(parts, names) where !part.isEmpty {
            try Data(part).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        return parts
    }

    @Test func fullCheckpointSeedReadsAsACommittedBatch() throws {
        try withScratchFolder { folder in
            let parts = try writeCheckpoint(try seed("checkpoint", "full.ckpt"), in: folder)
            let status = try CheckpointReader.status(directory: folder)
            #expect(status.metadata.id == "c40200c3-9a8a-43f7-af44-4c67e7f531a3")
            #expect(status.lastCommitted?.plan.kafka.map(\.end) == [181])
            #expect(status.lastCommitted?.commit.counts["files"]?.deadLettered == 1)
            #expect(status.inFlight == nil)
            #expect(status.filesLog?.files.count == 3)
            #expect(status.progress?.batch == 0)
            #expect(status.progress?.kafkaLag == 12)
            #expect(status.notes.isEmpty)

            let log = try ProcessedFilesLog(directory: folder + "/sources/files")
            #expect(log.count == 3)
            #expect(log.repairs.isEmpty)

            let deadLetters = DeadLetterReader.parse(parts[6], file: "0-files.jsonl")
            #expect(deadLetters.entries.map(\.stage) == ["schema", "decode"])
            #expect(deadLetters.problems.isEmpty)
        }
    }

    @Test func inFlightSeedHasATornLastLogLine() throws {
        try withScratchFolder { folder in
            _ = try writeCheckpoint(try seed("checkpoint", "in-flight.ckpt"), in: folder)
            let status = try CheckpointReader.status(directory: folder)
            #expect(status.inFlight?.batch == 0)
            #expect(status.notes.count == 1)
            let log = try ProcessedFilesLog(directory: folder + "/sources/files")
            #expect(log.count == 1)
            #expect(log.repairs.count == 1)
            #expect(try ProcessedFilesLog(directory: folder + "/sources/files").repairs.isEmpty)
        }
    }

    @Test func everyExpressionSeedCompiles() throws {
        let layout = ExpressionLayout(fields: [
            (name: "id", type: .int), (name: "name", type: .string), (name: "score", type: .double),
            (name: "active", type: .bool), (name: "ts", type: .timestamp), (name: "payload", type: .json),
            (name: "any name", type: .string), (name: "@origin", type: .string), (name: "@topic", type: .string),
            (name: "@partition", type: .int), (name: "@offset", type: .int), (name: "@key", type: .string),
            (name: "@timestamp", type: .timestamp), (name: "@file", type: .string), (name: "@line", type: .int),
            (name: "@byte_offset", type: .int),
        ])
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent("expression").path)
        #expect(files.count >= 40)
        for file in files.sorted() {
            let source = String(decoding: try seed("expression", file), as: UTF8.self)
            do {
                _ = try ExpressionCompiler.compile(source, layout: layout, location: file)
            } catch {
                Issue.record("\(file): \(source) does not compile: \(error)")
            }
        }
    }

    @Test func fullRecordSeedFillsEveryField() throws {
        let schema = Schema(fields: [
            SchemaField(name: "id", type: .int, required: true),
            SchemaField(name: "user_id", type: .string, path: ["user", "id"]),
            SchemaField(name: "when", type: .timestamp, path: ["meta", "time", "at"]),
            SchemaField(name: "extra", type: .json),
        ], catchAllField: 3)
        let values = decodeValues(try seed("decoder", "record-06.json"), schema)
        #expect(values == [.int(1), .string("u-1"), .timestamp(1_763_632_800_331_000),
                           .json(#"{"name":"Ada","score":3.5,"active":true,"ts":"2025-11-20T10:00:55Z","payload":{"a":[1,2,{"b":null}]},"other":"kept"}"#)])
    }
}
