/// Extraction of the value at a key path inside JSON text, with the project's `RecordDecoder`.
///
/// Only object keys can be followed: a path step through an array, a scalar or a missing key gives null,
/// as does JSON null. The result is the sub-value's compact JSON text.
struct ExpressionJSONPath: Sendable {
    private let decoder: RecordDecoder

    /// A decoder of one json field at `path` (non-empty), built once.
    init(_ path: [String]) {
        decoder = RecordDecoder(schema: Schema(fields: [SchemaField(name: "value", type: .json, path: path)]))
    }

    /// The value at the path in `json`, or null.
    func extract(_ json: String) -> FieldValue {
        var text = json
        var decoded: [FieldValue] = []
        let failure = text.withUTF8 { bytes in decoder.decode(UnsafeRawBufferPointer(bytes), into: &decoded) }
        guard failure == nil, let value = decoded.first else { return .null }
        return value
    }

    /// A node extracting the path from the json value `source` gives.
    func node(over source: ExpressionCompiledNode) -> ExpressionCompiledNode {
        let evaluate = source.evaluate
        return ExpressionCompiledNode(type: .value(.json), over: [source]) {
            row, context throws(ExpressionRuntimeError) in
            guard case .json(let text) = try evaluate(row, context) else { return .null }
            return extract(text)
        }
    }
}
