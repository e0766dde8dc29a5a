/// Decodes one source's records into the common schema: the schema's JSON paths replaced by
/// the source's mapping, and metadata columns (`@offset`, `@file`, ...) filled in.
struct SourceDecoder {
    let decoder: RecordDecoder
    let schema: Schema
    /// Schema positions filled from metadata, with what fills them.
    let metadataFields: [(index: Int, metadata: RecordMetadata)]

    init(schema: Schema, mapping: [String: FieldOrigin], maxDepth: Int = 512) {
        var fields = schema.fields
        var metadataFields: [(Int, RecordMetadata)] = []
        for (index, field) in fields.enumerated() {
            switch mapping[field.name] {
            case .json(let path)?:
                fields[index].path = path
            case .metadata(let metadata)?:
                fields[index].isExternal = true
                metadataFields.append((index, metadata))
            case nil:
                break
            }
        }
        self.schema = schema
        self.metadataFields = metadataFields
        self.decoder = RecordDecoder(schema: Schema(fields: fields, catchAllField: schema.catchAllField), maxDepth: maxDepth)
    }

    /// Decodes `bytes` into a new row of `rows`, metadata from `metadata`; returns the
    /// failure (and adds no row) when the record does not fit.
    func decode(
        _ bytes: UnsafeRawBufferPointer,
        metadata: (RecordMetadata) -> FieldValue,
        into rows: inout RowBuffer
    ) -> DecodeFailure? {
        let failure = rows.withStorage { decoder.decode(bytes, into: &$0) }
        if let failure { return failure }
        guard !metadataFields.isEmpty else { return nil }
        let row = rows.count - 1
        for (index, kind) in metadataFields {
            let value = metadata(kind)
            if value == .null && schema.fields[index].required {
                let width = rows.width
                rows.withStorage { $0.removeLast(width) }
                return DecodeFailure(stage: .schema, reason: "field \(schema.fields[index].name): required field is missing (@\(kind.rawValue) is null)")
            }
            rows.set(value, row: row, field: index)
        }
        return nil
    }
}
