import Foundation
import Glibc
import Testing
@testable import Tributary

/// The input folder misbehaving under a running engine: files deleted, truncated, rewritten or
/// swapped for a symlink between the listing that planned them and the read; the folder
/// disappearing and coming back; an mtime in the future. Each case ends with every record
/// read once, in the output or the dead letters, and the batch's accounts balanced.
@Suite("Input folder faults", .timeLimit(.minutes(4)))
struct SourceFaultTests {
    static func lines(_ prefix: String, _ count: Int) -> String {
        (0..<count).map { "{\"visit_id\":\"\(prefix)\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n" }.joined()
    }

    static func filesSource(_ fixture: PipelineFixture, extra: String = "") -> String {
        "[source.files]\npath = \"\(fixture.incoming)\"\nmin_file_age = \"0s\"\nmax_files_per_trigger = 10\n\(extra)"
    }

    /// The one progress report of `batch`, with its accounts checked.
    static func balancedReport(_ fixture: PipelineFixture, batch: Int) throws -> [String: Any] {
        let report = try #require(try fixture.progressReports().first { $0["batch"] as? Int == batch })
        let read = report["rows_read"] as! Int
        let accounted = (report["rows_written"] as! Int) + (report["rows_filtered"] as! Int) + (report["rows_dead_lettered"] as! Int)
        #expect(read == accounted, "read = written + filtered + dead-lettered")
        return report
    }

    @Test("a file deleted after planning: one dead letter names it, the other files are read, the batch commits")
    func deletedBeforeRead() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("a.jsonl", Self.lines("a", 3), ageSeconds: 90)
        try fixture.drop("b.jsonl", Self.lines("b", 2))
        let engine = try MicroBatchEngine(config: fixture.config(Self.filesSource(fixture)), logger: PipelineFixture.logger)
        let plan = try #require(try engine.planNext())
        #expect(plan.files.map(\.path) == [fixture.incoming + "/a.jsonl", fixture.incoming + "/b.jsonl"])
        try FileManager.default.removeItem(atPath: fixture.incoming + "/a.jsonl")
        try engine.execute(plan, planDuration: .zero)

        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == ["b0", "b1"])
        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == 1)
        #expect((letters.first?["source"] as? [String: Any])?["file"] as? String == fixture.incoming + "/a.jsonl")
        #expect((letters.first?["reason"] as? String)?.hasPrefix("cannot read the file: cannot open \(fixture.incoming)/a.jsonl: No such file or directory") == true)
        let report = try Self.balancedReport(fixture, batch: 0)
        #expect(report["rows_read"] as? Int == 3)
        #expect(FileManager.default.fileExists(atPath: fixture.checkpoint + "/commits/0"))
        #expect(try engine.run() == 0, "nothing is left to plan")
    }

    @Test("a file truncated after planning: what is left is read once, the missing bytes are one dead letter")
    func truncatedBeforeRead() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let full = Self.lines("t", 5)
        try fixture.drop("t.jsonl", full)
        let engine = try MicroBatchEngine(config: fixture.config(Self.filesSource(fixture)), logger: PipelineFixture.logger)
        let plan = try #require(try engine.planNext())
        let kept = Self.lines("t", 2)
        try fixture.drop("t.jsonl", kept, ageSeconds: 30)
        try engine.execute(plan, planDuration: .zero)

        #expect(try fixture.outputRows().map { $0["visit_id"] as! String } == ["t0", "t1"])
        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == 1)
        let reason = try #require(letters.first?["reason"] as? String)
        #expect(reason.hasPrefix("the file shrank to \(kept.utf8.count) bytes between listing and reading: its planned bytes \(kept.utf8.count)..<\(full.utf8.count) were gone"), "\(reason)")
        let origin = try #require(letters.first?["source"] as? [String: Any])
        #expect(origin["line"] as? Int == 3)
        #expect(origin["byte_offset"] as? Int == kept.utf8.count)
        #expect(try Self.balancedReport(fixture, batch: 0)["rows_read"] as? Int == 3)
        // The shrunk file is known as taken: it is not read again.
        #expect(try engine.run() == 0)
        #expect(try fixture.outputRows().count == 2)
    }

    @Test("a file rewritten or appended to after planning: only the planned bytes are read, once; later runs do not read it again")
    func rewrittenBeforeRead() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("r.jsonl", Self.lines("r", 4), ageSeconds: 90)
        try fixture.drop("g.jsonl", Self.lines("g", 2))
        let engine = try MicroBatchEngine(config: fixture.config(Self.filesSource(fixture)), logger: PipelineFixture.logger)
        let plan = try #require(try engine.planNext())
        // Same size, other records (a rewrite in place); and two lines appended to the other.
        try fixture.drop("r.jsonl", Self.lines("w", 4), ageSeconds: 10)
        try fixture.drop("g.jsonl", Self.lines("g", 2) + Self.lines("late", 2), ageSeconds: 10)
        try engine.execute(plan, planDuration: .zero)

        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == ["g0", "g1", "w0", "w1", "w2", "w3"])
        #expect(try fixture.deadLetterEntries().isEmpty)
        #expect(try Self.balancedReport(fixture, batch: 0)["rows_read"] as? Int == 6)
        #expect(try engine.run() == 0, "a file changed after it was taken is reported, not read again")
    }

    @Test("a symlink outside the input folder is never read: not listed, and refused when swapped in after planning")
    func symlinkOutside() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let secret = fixture.root.appendingPathComponent("secret.jsonl").path
        try Data(Self.lines("secret", 2).utf8).write(to: URL(fileURLWithPath: secret))
        #expect(symlink(secret, fixture.incoming + "/link.jsonl") == 0)
        try fixture.drop("s.jsonl", Self.lines("s", 2))
        let engine = try MicroBatchEngine(config: fixture.config(Self.filesSource(fixture)), logger: PipelineFixture.logger)
        let plan = try #require(try engine.planNext())
        #expect(plan.files.map(\.path) == [fixture.incoming + "/s.jsonl"])
        // Swapped for a link out of the folder between listing and reading.
        try FileManager.default.removeItem(atPath: fixture.incoming + "/s.jsonl")
        #expect(symlink(secret, fixture.incoming + "/s.jsonl") == 0)
        try engine.execute(plan, planDuration: .zero)

        #expect(try fixture.outputRows().isEmpty)
        let letters = try fixture.deadLetterEntries()
        #expect(letters.count == 1)
        #expect(letters.first?["reason"] as? String == "refused: the file became a symlink to \(secret), outside the input folder, between listing and reading")
        #expect(try Self.balancedReport(fixture, batch: 0)["rows_read"] as? Int == 1)
    }

    @Test("the input folder disappears and comes back: planning goes on without files and says why, then resumes")
    func folderDisappearsAndComesBack() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("one.jsonl", Self.lines("one", 2))
        let engine = try MicroBatchEngine(config: fixture.config(Self.filesSource(fixture), trigger: "1s"), logger: PipelineFixture.logger)
        try engine.execute(try #require(try engine.planNext()), planDuration: .zero)

        let away = fixture.root.appendingPathComponent("away").path
        #expect(rename(fixture.incoming, away) == 0)
        #expect(try engine.planNext() == nil, "no files, no throw")
        let failure = try #require(engine.monitor.snapshot.failure)
        #expect(failure == "input folder unavailable: cannot list \(fixture.incoming): No such file or directory")
        #expect(engine.monitor.snapshot.failingSince != nil)

        #expect(rename(away, fixture.incoming) == 0)
        try fixture.drop("two.jsonl", Self.lines("two", 3))
        let plan = try #require(try engine.planNext())
        #expect(plan.files.map(\.path) == [fixture.incoming + "/two.jsonl"], "one.jsonl is still known as taken")
        #expect(engine.monitor.snapshot.failure == nil)
        try engine.execute(plan, planDuration: .zero)
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String }.sorted() == ["one0", "one1", "two0", "two1", "two2"])
    }

    @Test("a file whose mtime is an hour in the future is taken at the second listing, not in an hour")
    func futureMtime() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("ahead.jsonl", Self.lines("ahead", 2), ageSeconds: -3_600)
        let config = try fixture.config("[source.files]\npath = \"\(fixture.incoming)\"\nmin_file_age = \"5s\"", trigger: "1s")
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        #expect(try engine.planNext() == nil, "first listing: it may still be being written")
        let plan = try #require(try engine.planNext())
        try engine.execute(plan, planDuration: .zero)
        #expect(try fixture.outputRows().map { $0["visit_id"] as! String } == ["ahead0", "ahead1"])
        #expect(try engine.planNext() == nil, "taken once")
    }
}
