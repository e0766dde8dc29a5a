/// Reads `[schema]`: `fields = [{ name, type, required }]` and an optional `catch_all` field.
enum SchemaConfigReader {
    static func read(_ reader: TOMLReader) -> Schema? {
        defer { reader.finish() }
        guard let entries = reader.tables("fields") else {
            reader.diagnostics.report(reader.keyPath("fields"), "is required: a list like [{ name = \"id\", type = \"string\", required = true }]")
            return nil
        }
        var fields: [SchemaField] = []
        var names = Set<String>()
        for entry in entries {
            defer { entry.finish() }
            guard let name = entry.string("name", required: true) else { continue }
            guard names.insert(name).inserted else {
                reader.diagnostics.report(entry.keyPath("name"), "field '\(name)' is declared twice")
                continue
            }
            let typeName = entry.string("type") ?? "string"
            guard let type = FieldType(rawValue: typeName) else {
                let known = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
                reader.diagnostics.report(entry.keyPath("type"), "unknown type '\(typeName)'; use one of \(known)")
                continue
            }
            fields.append(SchemaField(name: name, type: type, required: entry.bool("required") ?? false))
        }
        if fields.isEmpty { reader.diagnostics.report(reader.keyPath("fields"), "declares no field") }
        var catchAll: Int?
        if let name = reader.string("catch_all") {
            catchAll = fields.firstIndex { $0.name == name }
            if let index = catchAll, fields[index].type != .json {
                reader.diagnostics.report(reader.keyPath("catch_all"), "field '\(name)' must have type \"json\" to collect unmapped keys")
            } else if catchAll == nil {
                reader.diagnostics.report(reader.keyPath("catch_all"), "'\(name)' is not a declared field")
            }
        }
        return Schema(fields: fields, catchAllField: catchAll)
    }
}
