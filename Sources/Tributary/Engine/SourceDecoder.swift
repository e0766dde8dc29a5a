/// Decodes one source's records into the rows of a batch: the schema's fields found by the
/// source's mapping, and the columns filled from the record's metadata (`@offset`, `@file`,
/// ...) whether the mapping or a transform asks for them.
struct SourceDecoder {
    let decoder: RecordDecoder
    let columns: [SchemaField]
    /// Row positions filled from metadata, with what fills them.
    let metadataFields: [(index: Int, metadata: RecordMetadata)]

    /// `columns` are the chain's columns: the schema's fields first, then columns the decoder
    /// leaves null (metadata and fields created by transforms).
    init(columns: [SchemaField], catchAllField: Int?, mapping: [String: FieldOrigin], hidden: [TransformChain.MetadataColumn], maxDepth: Int = 512) {
        var fields = columns
        var metadataFields: [(Int, RecordMetadata)] = hidden.map { ($0.index, $0.metadata) }
        for (index, field) in fields.enumerated() where !field.isExternal {
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
        self.columns = columns
        self.metadataFields = metadataFields
        self.decoder = RecordDecoder(schema: Schema(fields: fields, catchAllField: catchAllField), maxDepth: maxDepth)
    }

    /// Whether a row column is filled from `metadata` (by the mapping or for a transform).
    func fills(_ metadata: RecordMetadata) -> Bool {
        metadataFields.contains { $0.metadata == metadata }
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
            if value == .null && columns[index].required {
                let width = rows.width
                rows.withStorage { $0.removeLast(width) }
                return DecodeFailure(stage: .schema, reason: "field \(columns[index].name): required field is missing (@\(kind.rawValue) is null)")
            }
            rows.set(value, row: row, field: index)
        }
        return nil
    }
}
