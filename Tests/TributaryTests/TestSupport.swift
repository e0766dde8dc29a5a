@testable import Tributary
import Testing

/// A row prefix the decoder must never touch: checks that failures roll back and successes only append.
let sentinel: [FieldValue] = [.string("sentinel")]

/// Decodes `bytes` with `schema`, checking the row contract, and returns the values or the failure.
func decodeResult(
    _ bytes: [UInt8], _ schema: Schema, maxDepth: Int = 512
) -> Result<[FieldValue], DecodeFailure> {
    let decoder = RecordDecoder(schema: schema, maxDepth: maxDepth)
    var row = sentinel
    let failure = bytes.withUnsafeBytes { decoder.decode($0, into: &row) }
    if let failure {
        #expect(row == sentinel, "a failed decode must leave the row as it was")
        return .failure(failure)
    }
    #expect(row.count == sentinel.count + schema.fields.count)
    return .success(Array(row.dropFirst(sentinel.count)))
}

/// The decoded values of `line`, or nil (recording an issue) when it fails.
func decodeValues(_ line: String, _ schema: Schema) -> [FieldValue]? {
    decodeValues(Array(line.utf8), schema)
}

/// The decoded values of `bytes`, or nil (recording an issue) when it fails.
func decodeValues(_ bytes: [UInt8], _ schema: Schema) -> [FieldValue]? {
    switch decodeResult(bytes, schema) {
    case .success(let values): return values
    case .failure(let failure):
        Issue.record("unexpected failure: \(failure.reason)")
        return nil
    }
}

/// The failure decoding `bytes` produces, or nil (recording an issue) when it succeeds.
func decodeFailure(_ bytes: [UInt8], _ schema: Schema, maxDepth: Int = 512) -> DecodeFailure? {
    switch decodeResult(bytes, schema, maxDepth: maxDepth) {
    case .success(let values):
        Issue.record("unexpected success: \(values)")
        return nil
    case .failure(let failure): return failure
    }
}

/// The failure decoding `line` produces.
func decodeFailure(_ line: String, _ schema: Schema, maxDepth: Int = 512) -> DecodeFailure? {
    decodeFailure(Array(line.utf8), schema, maxDepth: maxDepth)
}

/// A schema with one field `a` of the given type.
func single(_ type: FieldType, required: Bool = false) -> Schema {
    Schema(fields: [SchemaField(name: "a", type: type, required: required)])
}

/// The value of the single field `a` decoded from `{"a":<json>}`.
func valueOf(_ json: String, as type: FieldType) -> FieldValue? {
    decodeValues("{\"a\":\(json)}", single(type))?.first
}

/// The schema failure for `{"a":<json>}` decoded as `type`.
func reasonFor(_ json: String, as type: FieldType, required: Bool = false) -> String? {
    decodeFailure("{\"a\":\(json)}", single(type, required: required))?.reason
}
