import Tributary

// One fuzz input is one record (one line of a JSON-lines file, or one Kafka value).
// A record that does not fit is a failure value, never a crash; on top of that the checks
// below trap on broken contracts: a failed decode leaves the row as it was, a successful one
// adds exactly one value per field, and what the JSON writer makes of the values decodes
// back to the same values; string fields kept as their input text stand for, and are written
// as, the same strings.

/// The fields a record maps to: typed fields, nested paths, a timestamp and a catch-all json field.
let fields = [
    SchemaField(name: "id", type: .int, required: true),
    SchemaField(name: "name", type: .string),
    SchemaField(name: "score", type: .double),
    SchemaField(name: "active", type: .bool),
    SchemaField(name: "ts", type: .timestamp),
    SchemaField(name: "user_id", type: .string, path: ["user", "id"]),
    SchemaField(name: "user_age", type: .int, path: ["user", "age"]),
    SchemaField(name: "when", type: .timestamp, path: ["meta", "time", "at"]),
    SchemaField(name: "payload", type: .json),
    SchemaField(name: "extra", type: .json),
]
let decoder = RecordDecoder(schema: Schema(fields: fields, catchAllField: 9))
/// A shallow limit, so that the depth checks run on small inputs.
let shallowDecoder = RecordDecoder(schema: Schema(fields: fields, catchAllField: 9), maxDepth: 3)
/// The whole record as one json value, and the same keys without a catch-all.
let wholeDecoder = RecordDecoder(schema: Schema(fields: [SchemaField(name: "all", type: .json, path: [])] + fields.dropLast()))
/// The same fields with every string field keeping its input text (`FieldValue.text`).
let textDecoder: RecordDecoder = {
    var kept = fields
    for index in kept.indices where kept[index].type == .string { kept[index].keepsText = true }
    return RecordDecoder(schema: Schema(fields: kept, catchAllField: 9))
}()

/// The written form of a decoded row: the fields by name, at the top level.
let written = Schema(fields: fields.dropLast().map { SchemaField(name: $0.name, type: $0.type) })
let writer = JSONLineWriter(schema: written)
let rereader = RecordDecoder(schema: written)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let sentinel: [FieldValue] = [.string("before")]
    for candidate in [decoder, shallowDecoder, wholeDecoder] {
        var row = sentinel
        if candidate.decode(bytes, into: &row) != nil {
            precondition(row == sentinel, "a failed decode changed the row")
        } else {
            precondition(row.count == 1 + candidate.schema.fields.count, "decoded \(row.count - 1) values")
        }
    }
    var row: [FieldValue] = []
    if decoder.decode(bytes, into: &row) == nil {
        checkRoundTrip(row)
        checkKeptText(bytes, plain: row)
    }
    return 0
}

/// Decodes `bytes` keeping string text and checks it stands for, and is written as, the
/// `String`s of the plain decode `plain`.
func checkKeptText(_ bytes: UnsafeRawBufferPointer, plain: [FieldValue]) {
    var kept: [FieldValue] = []
    precondition(textDecoder.decode(bytes, into: &kept) == nil, "keeping string text made the record fail")
    precondition(kept.map(\.materialized) == plain, "a kept text stands for another value")
    var keptLine: [UInt8] = []
    var plainLine: [UInt8] = []
    writer.append(kept.prefix(written.fields.count), to: &keptLine)
    writer.append(plain.prefix(written.fields.count), to: &plainLine)
    precondition(keptLine == plainLine, "a kept text is written differently from its String")
}

/// Writes the typed fields of `row` as a JSON line and decodes that line again.
func checkRoundTrip(_ row: [FieldValue]) {
    let values = row.prefix(written.fields.count)
    var line: [UInt8] = []
    writer.append(values, to: &line)
    var again: [FieldValue] = []
    if let failure = rereader.decode(Array(line.dropLast()), into: &again) {
        preconditionFailure("the written line \(String(decoding: line, as: UTF8.self)) does not decode: \(failure)")
    }
    for (index, (before, after)) in zip(values, again).enumerated() {
        // JSON has no text for infinities: the writer writes null.
        if case .double(let number) = before, !number.isFinite {
            precondition(after == .null, "field \(index): \(before) came back as \(after)")
            continue
        }
        precondition(before == after, "field \(index): \(before) came back as \(after)")
    }
}
