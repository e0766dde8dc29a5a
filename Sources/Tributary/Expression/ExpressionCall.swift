/// A call being compiled: the function, its type-checked arguments, and helpers to build its node.
struct ExpressionCall {
    /// A per-row operation on argument values known to be non-null.
    typealias Operation1 = @Sendable (FieldValue) throws(ExpressionRuntimeError) -> FieldValue
    typealias Operation2 = @Sendable (FieldValue, FieldValue) throws(ExpressionRuntimeError) -> FieldValue
    typealias Operation3 = @Sendable (FieldValue, FieldValue, FieldValue) throws(ExpressionRuntimeError) -> FieldValue

    let function: ExpressionFunction
    let arguments: [ExpressionCompiledNode]
    let argumentSyntax: [ExpressionSyntax]
    let syntax: ExpressionSyntax
    let builder: ExpressionBuilder

    /// The call's source text, quoted in run-time errors.
    var text: String { builder.text(of: syntax) }

    /// A node of `type` over all arguments.
    func node(_ type: ExpressionType, _ evaluate: @escaping ExpressionEvaluator) -> ExpressionCompiledNode {
        ExpressionCompiledNode(type: type, over: arguments, evaluate: evaluate)
    }

    /// One argument, null in → null out.
    func strict(_ type: FieldType, _ operation: @escaping Operation1) -> ExpressionCompiledNode {
        let a = arguments[0].evaluate
        return node(.value(type)) { row, context throws(ExpressionRuntimeError) in
            let x = try a(row, context)
            if case .null = x { return .null }
            return try operation(x)
        }
    }

    /// Two arguments, null in → null out.
    func strict(_ type: FieldType, _ operation: @escaping Operation2) -> ExpressionCompiledNode {
        let a = arguments[0].evaluate
        // A literal second argument (a format, a pattern, a length) is taken as it is, not
        // evaluated again on every row.
        if let y = nonNullConstant(1) {
            return node(.value(type)) { row, context throws(ExpressionRuntimeError) in
                let x = try a(row, context)
                if case .null = x { return .null }
                return try operation(x, y)
            }
        }
        let b = arguments[1].evaluate
        return node(.value(type)) { row, context throws(ExpressionRuntimeError) in
            let x = try a(row, context)
            if case .null = x { return .null }
            let y = try b(row, context)
            if case .null = y { return .null }
            return try operation(x, y)
        }
    }

    /// Three arguments, null in → null out.
    func strict(_ type: FieldType, _ operation: @escaping Operation3) -> ExpressionCompiledNode {
        let a = arguments[0].evaluate
        if let y = nonNullConstant(1), let z = nonNullConstant(2) {
            return node(.value(type)) { row, context throws(ExpressionRuntimeError) in
                let x = try a(row, context)
                if case .null = x { return .null }
                return try operation(x, y, z)
            }
        }
        let b = arguments[1].evaluate
        let c = arguments[2].evaluate
        return node(.value(type)) { row, context throws(ExpressionRuntimeError) in
            let x = try a(row, context)
            if case .null = x { return .null }
            let y = try b(row, context)
            if case .null = y { return .null }
            let z = try c(row, context)
            if case .null = z { return .null }
            return try operation(x, y, z)
        }
    }

    /// Argument `index`'s value when it is known at compile time and not null.
    private func nonNullConstant(_ index: Int) -> FieldValue? {
        guard let value = arguments[index].constant, value != .null else { return nil }
        return value
    }

    /// The value of argument `index`, which must be a string known at compile time (`what` names it).
    func constantString(_ index: Int, _ what: String) throws(ExpressionError) -> String {
        guard case .string(let text)? = arguments[index].constant else {
            throw failure(argument: index, "\(what) of \(function.name)() must be a string literal")
        }
        return text
    }

    /// An error pointing at argument `index`.
    func failure(argument index: Int, _ message: String) -> ExpressionError {
        builder.failure(over: argumentSyntax[index], message)
    }
}
