/// Decodes JSON-lines records into the typed values of a fixed schema, in one validating pass per record.
///
/// Decoding allocates nothing per field beyond the Strings of kept string and json values
/// (and the catch-all object's text); scratch space lives on the stack.
public struct RecordDecoder: Sendable {
    /// The schema records are decoded to.
    public let schema: Schema
    /// The deepest container nesting accepted; the record object itself is level 1.
    public let maxDepth: Int
    private let trie: PathTrie

    /// Creates a decoder. The schema must be valid (`schema.validationError == nil`) and `maxDepth` in 1...1_000_000.
    public init(schema: Schema, maxDepth: Int = 512) {
        if let problem = schema.validationError { preconditionFailure("invalid schema: \(problem)") }
        precondition((1...1_000_000).contains(maxDepth), "maxDepth must be in 1...1_000_000, not \(maxDepth)")
        self.schema = schema
        self.maxDepth = maxDepth
        self.trie = PathTrie(schema: schema)
    }

    /// Decodes one record. On success appends exactly schema.fields.count values to `row` and returns nil.
    /// On failure leaves `row` exactly as it was (remove anything appended) and returns the failure.
    public func decode(_ bytes: UnsafeRawBufferPointer, into row: inout [FieldValue]) -> DecodeFailure? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return DecodeFailure(stage: .decode, reason: "not a JSON object (got an empty record)")
        }
        return withUnsafeTemporaryAllocation(of: JSONValueSpan.self, capacity: trie.nodeCount) { spans in
            spans.initialize(repeating: .absent)
            let spans = spans.baseAddress!
            var unmatched: [CatchAllMember] = []
            let failure = withUnsafeTemporaryAllocation(of: Bool.self, capacity: maxDepth) { stack in
                let scanner = JSONScanner(base: base, end: bytes.count, pos: 0, maxDepth: maxDepth,
                                          stack: stack.baseAddress!)
                return trie.withView { view in
                    var scan = RecordScan(scanner: scanner, trie: view, spans: spans,
                                          collectsCatchAll: schema.catchAllField != nil)
                    defer { unmatched = scan.unmatched }
                    return scan.scanRecord()
                }
            }
            if let failure { return failure }
            // With a catch-all every top-level key is read, so none may occur twice (keys that
            // fields map were checked while scanning).
            if let duplicate = CatchAllObject.firstDuplicate(in: unmatched, base: base) {
                let error = JSONSyntaxError.duplicateKey(in: base, from: duplicate.keyStart, to: duplicate.keyEnd)
                return DecodeFailure(stage: .decode, reason: error.reason)
            }
            return appendFields(base, spans: spans, unmatched: unmatched, to: &row)
        }
    }

    /// Decodes one record held in `bytes`; see `decode(_:into:)`.
    public func decode(_ bytes: [UInt8], into row: inout [FieldValue]) -> DecodeFailure? {
        bytes.withUnsafeBytes { decode($0, into: &row) }
    }

    /// Converts every field's recorded value and appends them all; on a failure appends nothing.
    private func appendFields(
        _ base: UnsafeRawPointer, spans: UnsafeMutablePointer<JSONValueSpan>, unmatched: [CatchAllMember],
        to row: inout [FieldValue]
    ) -> DecodeFailure? {
        let count = schema.fields.count
        // Scratch memory of no elements may have no address.
        guard count > 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: FieldValue.self, capacity: count) { buffer in
            let values = buffer.baseAddress!
            let failure: DecodeFailure? = schema.fields.withUnsafeBufferPointer { fields in
                trie.fieldNodes.withUnsafeBufferPointer { fieldNodes in
                    let converter = FieldConverter(base: base, fields: fields)
                    for index in 0..<count {
                        do throws(DecodeFailure) {
                            if fields[index].isExternal {
                                (values + index).initialize(to: .null)
                            } else if index == schema.catchAllField {
                                (values + index).initialize(to: try converter.catchAll(unmatched, for: index))
                            } else {
                                (values + index).initialize(to: try converter.convert(spans[fieldNodes[index]], for: index))
                            }
                        } catch {
                            values.deinitialize(count: index)
                            return error
                        }
                    }
                    return nil
                }
            }
            if failure == nil { row.append(contentsOf: MovingBuffer(start: values, count: count)) }
            return failure
        }
    }
}
