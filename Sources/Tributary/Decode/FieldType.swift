/// The type a schema field's JSON value is converted to.
public enum FieldType: String, Sendable, CaseIterable {
    /// A JSON string, unescaped into a Swift `String`.
    case string
    /// An integral JSON number that fits in 64 bits.
    case int
    /// Any JSON number, as a correctly rounded `Double`.
    case double
    /// JSON `true` or `false`.
    case bool
    /// An RFC 3339 string or an integer of epoch milliseconds, kept as epoch microseconds.
    case timestamp
    /// Any JSON value, kept as its compact JSON text.
    case json
}
