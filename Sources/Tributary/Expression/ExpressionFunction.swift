/// One built-in function: its name, parameters and how a call to it is compiled.
struct ExpressionFunction: Sendable {
    /// Compiles a call whose arity and argument types were already checked against the parameters.
    typealias Builder = @Sendable (ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode

    let name: String
    let parameters: [ExpressionParameter]
    /// How many trailing parameters may be left out.
    let optionalCount: Int
    /// Whether the last parameter may repeat.
    let isVariadic: Bool
    let build: Builder

    init(
        _ name: String, _ parameters: [ExpressionParameter], optional: Int = 0, variadic: Bool = false,
        build: @escaping Builder
    ) {
        self.name = name
        self.parameters = parameters
        self.optionalCount = optional
        self.isVariadic = variadic
        self.build = build
    }

    /// Every function, by lowercase name.
    static let catalog: [String: ExpressionFunction] = Dictionary(
        (stringFunctions + conversionFunctions + timeFunctions + numberFunctions + jsonFunctions
            + metadataFunctions).map { ($0.name, $0) },
        uniquingKeysWith: { first, _ in first })

    /// E.g. `substring(s: string, start: int[, length: int])` or `concat(value: any, ...)`.
    var signature: String {
        let required = parameters.count - optionalCount
        var text = name + "("
        for (index, parameter) in parameters.enumerated() {
            if index == required { text += "[" }
            if index > 0 { text += ", " }
            text += parameter.description
        }
        if optionalCount > 0 { text += "]" }
        if isVariadic { text += ", ..." }
        return text + ")"
    }

    /// Why `count` arguments do not fit, or nil when they do.
    func arityProblem(_ count: Int) -> String? {
        let required = parameters.count - optionalCount
        if count >= required && (count <= parameters.count || isVariadic) { return nil }
        let expected: String
        if isVariadic {
            expected = "at least \(Self.arguments(required))"
        } else if optionalCount > 0 {
            let conjunction = optionalCount == 1 ? "or" : "to"
            expected = "\(required) \(conjunction) \(parameters.count) arguments"
        } else {
            expected = required == 0 ? "no arguments" : Self.arguments(required)
        }
        return "\(signature) takes \(expected), got \(count)"
    }

    private static func arguments(_ count: Int) -> String {
        count == 1 ? "1 argument" : "\(count) arguments"
    }

    /// The parameter argument `index` is matched against (the last one repeats for variadic functions).
    func parameter(at index: Int) -> ExpressionParameter {
        parameters[min(index, parameters.count - 1)]
    }
}

/// One parameter of a built-in function.
struct ExpressionParameter: Sendable {
    let name: String
    /// The accepted types; empty for any type.
    let types: [FieldType]

    init(_ name: String, _ types: FieldType...) {
        self.name = name
        self.types = types
    }

    /// `name: type|type`, or `name: any`.
    var description: String {
        "\(name): " + (types.isEmpty ? "any" : types.map(\.rawValue).joined(separator: "|"))
    }

    /// The accepted types in prose: "int", "int or double", "string, int or bool".
    var expected: String {
        let names = types.map(\.rawValue)
        guard let last = names.last, names.count > 1 else { return names.first ?? "any" }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }

    /// Whether an argument of `type` fits; null fits everything.
    func accepts(_ type: ExpressionType) -> Bool {
        guard case .value(let fieldType) = type, !types.isEmpty else { return true }
        return types.contains(fieldType)
    }
}
