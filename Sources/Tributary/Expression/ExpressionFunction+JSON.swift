extension ExpressionFunction {
    /// json_get, json_string.
    static let jsonFunctions: [ExpressionFunction] = [
        ExpressionFunction("json_get", [.init("j", .json), .init("path", .string)], build: jsonGet),
        ExpressionFunction("json_string", [.init("j", .json)]) { call in
            call.strict(.string) { value in
                guard case .json(let text) = value else { return .null }
                return .string(ExpressionJSONText.content(text))
            }
        },
    ]

    /// The path is a literal of dot-separated keys, turned into a decoder once here.
    private static func jsonGet(_ call: ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode {
        let path = try call.constantString(1, "the path")
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains(where: \.isEmpty) else {
            throw call.failure(argument: 1, "json path '\(path)' has an empty key")
        }
        return ExpressionJSONPath(keys).node(over: call.arguments[0])
    }
}
