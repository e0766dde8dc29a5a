/// One output column of a schema: its name, type and where to find it in the input object.
public struct SchemaField: Sendable, Hashable {
    /// The output name, used by writers as the JSON key.
    public var name: String
    /// The type the input value is converted to.
    public var type: FieldType
    /// Whether a missing or null input value makes the record fail instead of yielding `.null`.
    public var required: Bool
    /// The keys leading to the value through nested objects, e.g. `["payload", "user", "id"]`.
    /// An empty path selects the whole input object.
    public var path: [String]
    /// True when the value does not come from the JSON at all (a record's metadata, filled in
    /// by the caller): the decoder leaves it `.null` and does not check `required`.
    public var isExternal = false
    /// True for a string field that only writers read (no expression, key, route, dedupe or
    /// `partition_by` does): the decoder then keeps a string without escapes as its JSON text in
    /// the input (`FieldValue.text`) instead of making a `String` that would only be written back.
    public var keepsText = false

    /// Creates a field; `path` defaults to `[name]`.
    public init(name: String, type: FieldType, required: Bool = false, path: [String]? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.path = path ?? [name]
    }
}
