extension ExpressionBuilder {
    /// A column read, or a key path into a json column.
    func field(
        _ name: String, path: [String], _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        guard let index = layout.index(of: name) else {
            let visible = layout.names.filter(Self.isVisibleName)
            throw failure(at: syntax.token,
                          "unknown field '\(name)'" + ExpressionSuggestion.didYouMean(name, among: visible))
        }
        let type = layout.types[index]
        let column = Self.column(index, type: type)
        guard !path.isEmpty else { return column }
        guard type == .json else {
            throw failure(at: syntax.token, "field '\(name)' has type \(type.rawValue); "
                          + "only json fields can be followed by '.key'")
        }
        return ExpressionJSONPath(path).node(over: column)
    }

    /// A node reading column `index` of the row.
    static func column(_ index: Int, type: FieldType) -> ExpressionCompiledNode {
        var node = ExpressionCompiledNode(type: .value(type), columns: [index], isPure: false) { row, _ in
            row[index]
        }
        node.column = index
        return node
    }

    /// Hidden columns (metadata `@name`, placeholders with control characters) are never suggested.
    static func isVisibleName(_ name: String) -> Bool {
        !name.hasPrefix("@") && !name.unicodeScalars.contains { $0.value < 0x20 }
    }
}
