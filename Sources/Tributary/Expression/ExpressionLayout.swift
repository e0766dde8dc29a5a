/// The column layout an expression is compiled against: names and types of a row's values in order.
public struct ExpressionLayout: Sendable {
    /// The column names, in row order.
    public let names: [String]
    /// The column types, in row order.
    public let types: [FieldType]
    private let positions: [String: Int]

    /// Creates a layout; when a name repeats, references resolve to its first column.
    public init(fields: [(name: String, type: FieldType)]) {
        names = fields.map(\.name)
        types = fields.map(\.type)
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
    }

    /// The index of the column called `name`, or nil.
    public func index(of name: String) -> Int? {
        positions[name]
    }
}
