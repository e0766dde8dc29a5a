import Tributary

// One fuzz input is the source text of one expression (as in a transform's `set` or `filter`).
// Compiling it either succeeds or throws an ExpressionError; evaluating a compiled expression on
// a row either gives a value or throws an ExpressionRuntimeError. Neither may crash, and the
// value's kind must match the static type the compiler announced.

let layout = ExpressionLayout(fields: [
    (name: "id", type: .int),
    (name: "name", type: .string),
    (name: "score", type: .double),
    (name: "active", type: .bool),
    (name: "ts", type: .timestamp),
    (name: "payload", type: .json),
    (name: "any name", type: .string),
    // The record's metadata, as the engine adds it for the metadata functions.
    (name: "@origin", type: .string), (name: "@topic", type: .string), (name: "@partition", type: .int),
    (name: "@offset", type: .int), (name: "@key", type: .string), (name: "@timestamp", type: .timestamp),
    (name: "@file", type: .string), (name: "@line", type: .int), (name: "@byte_offset", type: .int),
])

/// A typical row, a row of edge values, and a row of nulls.
let rows: [[FieldValue]] = [
    [.int(42), .string("Ada Lovelace"), .double(3.5), .bool(true), .timestamp(1_700_000_000_000_000),
     .json(#"{"user":{"id":"u1","tags":["a","b"],"age":36},"n":1.5e3,"ok":true,"none":null}"#), .string("x y"),
     .string("kafka"), .string("visits"), .int(3), .int(81), .string("k-1"), .timestamp(1_763_632_800_331_000),
     .null, .null, .null],
    [.int(.min), .string(""), .double(-0.0), .bool(false), .timestamp(-62_135_596_800_000_000),
     .json("[]"), .string("\u{1F600}\u{0}é"),
     .string("file"), .null, .null, .null, .null, .null, .string("/srv/incoming/visits-10.jsonl"), .int(.max), .int(0)],
    Array(repeating: .null, count: 16),
]
let context = ExpressionContext(batchTimeMicros: 1_763_683_200_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let expression: CompiledExpression
    do {
        expression = try ExpressionCompiler.compile(source, layout: layout, location: "fuzz")
    } catch {
        precondition(!error.description.isEmpty, "a compile error without a message")
        return 0
    }
    precondition(expression.referencedColumns.allSatisfy { layout.names.indices.contains($0) },
                 "referenced columns \(expression.referencedColumns) are outside the layout")
    for row in rows {
        do {
            let value = try expression.evaluate(row[...], context)
            precondition(fits(value, expression.type), "\(source) announced \(expression.type) but gave \(value)")
        } catch {
            precondition(!error.message.isEmpty, "a runtime error without a message")
        }
    }
    return 0
}

/// Whether `value` is a value of the static type `type` (null fits every type; the type `null` only null).
func fits(_ value: FieldValue, _ type: ExpressionType) -> Bool {
    guard case .value(let fieldType) = type else { return value == .null }
    switch value {
    case .null: return true
    case .string, .text: return fieldType == .string
    case .int: return fieldType == .int
    case .double: return fieldType == .double
    case .bool: return fieldType == .bool
    case .timestamp: return fieldType == .timestamp
    case .json: return fieldType == .json
    }
}
