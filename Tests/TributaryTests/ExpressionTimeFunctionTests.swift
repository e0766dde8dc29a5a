@testable import Tributary
import Testing

@Suite struct TimeFunctionTests {
    @Test func nowUsesTheContext() throws {
        let batch = micros("2024-05-01T10:00:00Z")
        #expect(try evaluate("now()", now: batch) == .timestamp(batch))
        #expect(try evaluate("now()", now: 5) == .timestamp(5))
        let compiled = try ExpressionCompiler.compile("epoch_millis(now())", layout: testLayout, location: "t")
        #expect(try compiled.evaluate(row([:]), ExpressionContext(batchTimeMicros: 7_000)) == .int(7))
        #expect(try compiled.evaluate(row([:]), ExpressionContext(batchTimeMicros: 9_000)) == .int(9))
    }

    @Test(arguments: [
        ("2024-05-01T10:20:30.123456Z", "%Y-%m-%d %H:%M:%S", "2024-05-01 10:20:30"),
        ("2024-12-31T23:59:59Z", "%Y-%m-%d", "2024-12-31"),
        ("2025-01-01T00:00:00Z", "%Y-%m-%dT%H", "2025-01-01T00"),
        ("2024-02-29T12:00:00Z", "%j %a %b", "060 Thu Feb"),
        ("2023-12-31T00:00:00Z", "%j", "365"),
        ("2024-12-31T00:00:00Z", "%j", "366"),
        ("1969-12-31T23:59:59.999Z", "%F %T.%L", "1969-12-31 23:59:59.999"),
        ("1900-03-01T00:00:00Z", "%Y/%m/%d %a", "1900/03/01 Thu"),
        ("0001-01-01T00:00:00Z", "%Y-%m-%d", "0001-01-01"),
        ("1970-01-01T00:00:00.000042Z", "%s %f 100%% %z %Z", "0 000042 100% +0000 UTC"),
        ("1969-12-31T23:59:58.5Z", "%s", "-2"),
        ("2024-05-01T00:00:00Z", "week of %d, literal text", "week of 01, literal text"),
        ("2024-05-01T00:00:00Z", "", ""),
        ("2024-05-01T00:00:00Z", "no specifier", "no specifier"),
        ("2024-05-01T00:00:00Z", "%d. Mai – %H Uhr ⏰", "01. Mai – 00 Uhr ⏰"),
    ])
    func formatTime(time: String, format: String, expected: String) throws {
        let value = try evaluate("format_time(event_time, '\(format)')", ["event_time": .timestamp(micros(time))])
        #expect(value == .string(expected))
    }

    @Test func formatTimeWithADynamicPattern() throws {
        let values: [String: FieldValue] = ["event_time": .timestamp(micros("2024-05-01T10:00:00Z")), "s": .string("%H")]
        #expect(try evaluate("format_time(event_time, s)", values) == .string("10"))
        #expect(try runtimeError("format_time(event_time, s)", ["event_time": .timestamp(0), "s": .string("%Q")])
                == "unknown format specifier in '%Q'; use %Y %m %d %H %M %S %j %a %b %f %L %s %F %T %z %Z or %%")
    }

    @Test(arguments: [
        ("second", "2024-05-01T10:20:30.5Z", "2024-05-01T10:20:30Z"),
        ("minute", "2024-05-01T10:20:30Z", "2024-05-01T10:20:00Z"),
        ("hour", "2024-05-01T10:20:30Z", "2024-05-01T10:00:00Z"),
        ("day", "2024-05-01T10:20:30Z", "2024-05-01T00:00:00Z"),
        ("month", "2024-05-31T23:59:59Z", "2024-05-01T00:00:00Z"),
        ("month", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        ("year", "2024-12-31T23:59:59.999999Z", "2024-01-01T00:00:00Z"),
        ("year", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("HOUR", "2024-05-01T10:20:30Z", "2024-05-01T10:00:00Z"),
        ("second", "1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59Z"),
        ("hour", "1969-12-31T23:30:00Z", "1969-12-31T23:00:00Z"),
        ("day", "1969-12-31T12:00:00Z", "1969-12-31T00:00:00Z"),
        ("month", "1969-12-15T12:00:00Z", "1969-12-01T00:00:00Z"),
        ("year", "1969-06-15T12:00:00Z", "1969-01-01T00:00:00Z"),
        ("year", "1600-02-29T12:00:00Z", "1600-01-01T00:00:00Z"),
    ])
    func dateTrunc(unit: String, time: String, expected: String) throws {
        let value = try evaluate("date_trunc('\(unit)', event_time)", ["event_time": .timestamp(micros(time))])
        #expect(value == .timestamp(micros(expected)))
    }

    @Test func nullsAndErrors() throws {
        #expect(try evaluate("format_time(event_time, '%Y')") == .null)
        #expect(try evaluate("date_trunc('day', event_time)") == .null)
        #expect(try evaluate("epoch_millis(event_time)") == .null)
        let unit = compileError("date_trunc('week', event_time)")
        #expect(unit?.message == "unknown date_trunc unit 'week'; use one of 'second', 'minute', 'hour', 'day', 'month', 'year'")
        #expect(unit?.column == 12)
        #expect(compileError("date_trunc(s, event_time)")?.message == "the unit of date_trunc() must be a string literal")
        let format = compileError("format_time(event_time, 'at %Q')")
        #expect(format?.message == "unknown format specifier in 'at %Q'; use %Y %m %d %H %M %S %j %a %b %f %L %s %F %T %z %Z or %%")
        #expect(format?.column == 25)
        #expect(compileError("format_time(event_time, '%')") != nil)
        #expect(compileError("format_time(page, '%Y')")?.message
                == "argument 1 of format_time(ts: timestamp, format: string) must be timestamp, got string")
        #expect(compileError("epoch_millis(i)")?.message == "argument 1 of epoch_millis(ts: timestamp) must be timestamp, got int")
        #expect(compileError("now(1)")?.message == "now() takes no arguments, got 1")
    }
}
