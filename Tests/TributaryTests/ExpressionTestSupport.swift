@testable import Tributary
import Testing

/// The layout most tests compile against.
let testLayout = ExpressionLayout(fields: [
    ("page", .string), ("duration_ms", .int), ("score", .double), ("ok", .bool), ("event_time", .timestamp),
    ("payload", .json), ("a", .bool), ("b", .bool), ("c", .bool), ("i", .int), ("j", .int), ("x", .double),
    ("s", .string), ("t", .string), ("weird name", .string), ("@topic", .string), ("@partition", .int),
    ("@timestamp", .timestamp), ("@offset", .int), ("@origin", .string), ("@key", .string), ("@file", .string),
    ("@line", .int), ("@byte_offset", .int),
])

/// A layout without metadata columns.
let plainLayout = ExpressionLayout(fields: [("page", .string), ("n", .int)])

/// Microseconds of an RFC 3339 text.
func micros(_ text: String) -> Int64 {
    guard let value = TimestampFormat.parse(text) else {
        Issue.record("bad timestamp \(text)")
        return 0
    }
    return value
}

/// A row for `layout` with the given values (others null), placed after two unrelated values so that
/// the slice does not start at index 0.
func row(_ values: [String: FieldValue], layout: ExpressionLayout = testLayout) -> ArraySlice<FieldValue> {
    var storage: [FieldValue] = [.string("before"), .int(-1)]
    for name in layout.names { storage.append(values[name] ?? .null) }
    storage.append(.string("after"))
    return storage[2..<storage.count - 1]
}

/// Compiles and evaluates `source` on a row holding `values`.
func evaluate(
    _ source: String, _ values: [String: FieldValue] = [:], layout: ExpressionLayout = testLayout, now: Int64 = 0
) throws -> FieldValue {
    let compiled = try ExpressionCompiler.compile(source, layout: layout, location: "test")
    return try compiled.evaluate(row(values, layout: layout), ExpressionContext(batchTimeMicros: now))
}

/// The compile error of `source`, or nil when it compiles.
func compileError(_ source: String, layout: ExpressionLayout = testLayout) -> ExpressionError? {
    do {
        _ = try ExpressionCompiler.compile(source, layout: layout, location: "transform[0].set.v")
        return nil
    } catch {
        return error
    }
}

/// The run-time error message of `source` on a row holding `values`, or nil when it succeeds.
func runtimeError(_ source: String, _ values: [String: FieldValue] = [:]) throws -> String? {
    let compiled = try ExpressionCompiler.compile(source, layout: testLayout, location: "test")
    do {
        _ = try compiled.evaluate(row(values), ExpressionContext(batchTimeMicros: 0))
        return nil
    } catch {
        return error.message
    }
}

/// The static type of `source`.
func staticType(_ source: String) throws -> ExpressionType {
    try ExpressionCompiler.compile(source, layout: testLayout, location: "test").type
}
