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
    /// A string still in the input: the `count` bytes at `address` are its JSON text, quotes
    /// included, with no escape in it, so they are also exactly what a writer would write.
    ///
    /// Only the decoder makes it, for a string field that nothing but writers reads (see
    /// `SchemaField.keepsText`), and only inside the processing of the chunk whose bytes it
    /// points into: it saves making a `String` per record that would only be written back.
    /// Anywhere else it stands for `materialized`.
    case text(address: Int, count: Int)

    /// The value with `.text` turned into the `.string` it stands for; any other value as it is.
    public var materialized: FieldValue {
        guard case let .text(address, count) = self else { return self }
        guard count > 2, let start = UnsafeRawPointer(bitPattern: address) else { return .string("") }
        return .string(JSONStringText.verbatim(start, from: 1, to: count - 1))
    }
}
