import Dispatch
import Foundation
import Logging
import Testing
@testable import tributary

/// The `--log-format` handlers: exact lines per format, journal priorities, JSON escaping,
/// whole lines under concurrency, and `auto` telling the journal from a look-alike.
@Suite struct LogFormatTests {
    /// 2026-11-21T20:13:35.123Z.
    static let time = LogTimestamp(seconds: 1_795_292_015, milliseconds: 123)
    static let metadata: Logger.Metadata = ["source": "files", "batch": .stringConvertible(4)]

    /// Logs one event through a `TributaryLogHandler` in `format` and returns what it wrote.
    private func logged(_ format: LogFormat, _ message: Logger.Message, level: Logger.Level = .notice, metadata: Logger.Metadata? = nil, handlerMetadata: Logger.Metadata = [:]) throws -> String {
        try CapturedFile.capture { writer in
            var handler = TributaryLogHandler(label: "tributary", format: format, levelControl: LogLevelControl(.trace), writer: writer, metadataProvider: nil, clock: { Self.time })
            handler.metadata = handlerMetadata
            Logger(label: "tributary", factory: { _ in handler }).log(level: level, message, metadata: metadata)
        }
    }

    @Test func textLineHasTimeLevelLabelMessageAndSortedMetadata() throws {
        let line = try logged(.text, "batch 4 committed\nsecond line", metadata: Self.metadata)
        #expect(line == "2026-11-21T20:13:35.123Z notice tributary: batch 4 committed\\nsecond line batch=4 source=files\n")
    }

    @Test func journalLineHasPriorityAndNoTime() throws {
        let line = try logged(.journal, "batch 4 committed\nsecond line", metadata: Self.metadata)
        #expect(line == "<5>tributary: batch 4 committed\\nsecond line batch=4 source=files\n")
    }

    @Test func jsonLineIsExact() throws {
        let line = try logged(.json, "batch 4 committed\nsecond line", metadata: Self.metadata)
        #expect(line == #"{"time":"2026-11-21T20:13:35.123Z","level":"notice","label":"tributary","message":"batch 4 committed\nsecond line","metadata":{"batch":"4","source":"files"}}"# + "\n")
    }

    @Test func handlerMetadataIsMergedAndTheCallWins() throws {
        let line = try logged(.journal, "m", level: .info, metadata: ["pipeline": "b", "z": "1"], handlerMetadata: ["pipeline": "a", "host": "h"])
        #expect(line == "<6>tributary: m host=h pipeline=b z=1\n")
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func journalPriorityPerLevel(level: Logger.Level, priority: Int) throws {
        #expect(try logged(.journal, "x", level: level) == "<\(priority)>tributary: x\n")
    }

    @Test func jsonEscapesEverythingAndParses() throws {
        let message = "quote \" backslash \\ tab \t cr \r nl \n bell \u{7} esc \u{1B} slash / é 🚀"
        let nested: Logger.Metadata = ["list": ["a", "b\"c"], "object": ["k": "v\nw"], "path": "/srv/in"]
        let line = try logged(.json, "\(message)", level: .warning, metadata: nested)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"])
        #expect(object["time"] as? String == "2026-11-21T20:13:35.123Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "tributary")
        #expect(object["message"] as? String == message)
        let fields = try #require(object["metadata"] as? [String: Any])
        #expect(fields["list"] as? [String] == ["a", "b\"c"])
        #expect((fields["object"] as? [String: String])?["k"] == "v\nw")
        #expect(fields["path"] as? String == "/srv/in")
    }

    @Test func textEscapesControlCharactersInMessageAndMetadata() throws {
        let line = try logged(.text, "a\r\nb\u{1B}[31mc\td", metadata: ["file": "x\ny"])
        #expect(line == "2026-11-21T20:13:35.123Z notice tributary: a\\r\\nb\\u001B[31mc\td file=x\\ny\n")
    }

    @Test(arguments: [
        (LogTimestamp(seconds: 0, milliseconds: 0), "1970-01-01T00:00:00.000Z"),
        (LogTimestamp(seconds: 951_782_400, milliseconds: 7), "2000-02-29T00:00:00.007Z"),
        (LogTimestamp(seconds: 4_102_444_799, milliseconds: 999), "2099-12-31T23:59:59.999Z"),
    ])
    func timestampIsUTCWithMilliseconds(time: LogTimestamp, text: String) {
        #expect(time.iso8601 == text)
    }

    @Test func handlerFollowsTheSharedLevelUntilItsOwnIsSet() {
        let control = LogLevelControl(.info)
        var handler = TributaryLogHandler(label: "t", format: .text, levelControl: control, writer: LogWriter(fd: -1), metadataProvider: nil)
        #expect(handler.logLevel == .info)
        control.level = .debug    // a reload with log_level = "debug"
        #expect(handler.logLevel == .debug)
        handler.logLevel = .error
        control.level = .trace
        #expect(handler.logLevel == .error)
    }

    @Test func linesFromManyThreadsNeverInterleave() throws {
        // Lines far longer than PIPE_BUF, so that a torn write would show.
        let threads = 4, lines = 50, width = 10_000
        let text = try CapturedFile.capture { writer in
            let handler = TributaryLogHandler(label: "t", format: .journal, levelControl: LogLevelControl(.info), writer: writer, metadataProvider: nil)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                let logger = Logger(label: "t", factory: { _ in handler })
                let body = String(repeating: Character(String(thread)), count: width)
                for _ in 0..<lines { logger.info("\(body)") }
            }
        }
        let all = text.split(separator: "\n")
        #expect(all.count == threads * lines)
        for line in all {
            let body = line.dropFirst("<6>t: ".count)
            #expect(line.hasPrefix("<6>t: ") && body.count == width && Set(body).count == 1)
        }
    }

    @Test func autoIsJournalOnlyWhenJournalStreamNamesStderr() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-log-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fd = open(file, O_WRONLY)
        defer { close(fd) }
        let value = try #require(LogJournalStream.value(for: fd))
        #expect(LogFormat.resolve(.auto, environment: ["JOURNAL_STREAM": value], stderr: fd).format == .journal)
        #expect(LogFormat.resolve(.auto, environment: ["JOURNAL_STREAM": "1:2"], stderr: fd).format == .text)
        #expect(LogFormat.resolve(.auto, environment: ["JOURNAL_STREAM": "garbage"], stderr: fd).format == .text)
        #expect(LogFormat.resolve(.auto, environment: [:], stderr: fd).format == .text)
        #expect(LogFormat.resolve(.json, environment: ["JOURNAL_STREAM": value], stderr: fd).format == .json)
        #expect(LogFormat.resolve(.text, environment: ["JOURNAL_STREAM": value], stderr: fd).format == .text)
    }

    @Test func childUsesJournalLinesOnlyWhenItsStderrIsTheJournalStream() throws {
        // The child's stderr is a file we created, so we know its dev:ino; a debug run logs
        // the format it chose before `validate` fails on the missing file.
        func run(journalStream: (String) -> String?) throws -> String {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-stderr-\(UUID().uuidString)").path
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let stderr = try #require(FileHandle(forWritingAtPath: file))
            let identity = try #require(LogJournalStream.value(for: stderr.fileDescriptor))
            var environment = ProcessInfo.processInfo.environment
            environment["JOURNAL_STREAM"] = journalStream(identity)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ChildProcess.tributaryPath)
            process.arguments = ["validate", "--config", "/nonexistent/tributary-test.toml", "--log-level", "debug"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr
            try process.run()
            process.waitUntilExit()
            try stderr.close()
            #expect(process.terminationStatus == 2)
            return try String(contentsOfFile: file, encoding: .utf8)
        }
        let matching = try run { $0 }
        let wrong = try run { identity in
            let (device, inode) = LogJournalStream.parse(identity)!
            return "\(device):\(inode + 1)"
        }
        let unset = try run { _ in nil }
        #expect(matching.hasPrefix("<7>tributary: logging: format journal"), "\(matching)")
        for other in [wrong, unset] {
            #expect(!other.contains("<7>"), "\(other)")
            #expect(other.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z debug tributary: logging: format text"#, options: .regularExpression) != nil, "\(other)")
        }
        // The error itself is not a log line: it reads the same either way.
        #expect(matching.contains("cannot read the file") && wrong.contains("cannot read the file"))
    }
}

/// Runs code against a `LogWriter` on a temp file and returns what was written.
private enum CapturedFile {
    static func capture(_ body: (LogWriter) throws -> Void) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-log-\(UUID().uuidString)").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            defer { close(fd) }
            try body(LogWriter(fd: fd))
        }
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}
