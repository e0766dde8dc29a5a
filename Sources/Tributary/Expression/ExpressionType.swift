/// A static type: a FieldType, or `null` for the literal null (compatible with every type).
public enum ExpressionType: Sendable, Hashable, CustomStringConvertible {
    /// Values of one field type (any value may still be null at run time).
    case value(FieldType)
    /// The type of the literal `null` alone.
    case null

    /// The type's name as written in messages: `string`, `int`, ..., `null`.
    public var description: String {
        switch self {
        case .value(let type): type.rawValue
        case .null: "null"
        }
    }

    /// Whether this is `int` or `double`.
    var isNumeric: Bool {
        self == .value(.int) || self == .value(.double)
    }
}
