/// One decoded field value.
public enum FieldValue: Sendable, Hashable {
    /// The value was missing or JSON null.
    case null
    /// A string value.
    case string(String)
    /// A 64-bit integer value.
    case int(Int64)
    /// A floating-point value.
    case double(Double)
    /// A boolean value.
    case bool(Bool)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    /// A nested JSON value kept as its compact JSON text.
    case json(String)
}
