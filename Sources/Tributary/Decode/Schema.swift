/// The fixed list of fields a record decodes to, in output order.
public struct Schema: Sendable, Hashable {
    /// The fields, in the order their values are produced and written.
    public var fields: [SchemaField]
    /// When set, the index of a field of type json that receives every input key not mapped to any field,
    /// as a JSON object text; otherwise unknown keys are dropped.
    /// The catch-all field's own `path` is not looked up; when it is required, a record without unmapped keys fails.
    public var catchAllField: Int?

    /// Creates a schema from its fields and optional catch-all field index.
    public init(fields: [SchemaField], catchAllField: Int? = nil) {
        self.fields = fields
        self.catchAllField = catchAllField
    }

    /// Why this schema cannot be used by `RecordDecoder` or `JSONLineWriter`, or nil when it can.
    public var validationError: String? {
        if let index = catchAllField {
            guard fields.indices.contains(index) else {
                return "catch-all field index \(index) is out of range (the schema has \(fields.count) fields)"
            }
            guard fields[index].type == .json else {
                return "catch-all field \(fields[index].name) must have type json, not \(fields[index].type.rawValue)"
            }
        }
        var seen = Set<String>()
        for field in fields where !seen.insert(field.name).inserted {
            return "duplicate field name \(field.name)"
        }
        return nil
    }
}
