/// Type-checks parsed syntax against a layout and turns it into evaluator closures, folding constant parts.
///
/// Recursion follows the syntax tree, whose depth the parser limits to `ExpressionParser.maxDepth`.
struct ExpressionBuilder {
    let layout: ExpressionLayout
    let location: String
    /// The source, to quote sub-expressions in messages.
    let source: [Character]

    func build(_ syntax: ExpressionSyntax) throws(ExpressionError) -> ExpressionCompiledNode {
        let node: ExpressionCompiledNode
        switch syntax.kind {
        case .literal(let value):
            return .constant(value, type: Self.type(of: value))
        case .field(let name, let path):
            node = try field(name, path: path, syntax)
        case .call(let name, let arguments):
            node = try call(name, arguments, syntax)
        case .negate(let operand):
            node = try negate(build(operand), syntax)
        case .not(let operand):
            node = try not(build(operand), syntax, operand)
        case .binary(let op, let left, let right):
            node = try binary(op, build(left), build(right), syntax, left, right)
        case .logical(let isAnd, let operands):
            node = try logical(isAnd: isAnd, operands, syntax)
        case .isNull(let operand, let negated):
            node = isNull(try build(operand), negated: negated)
        case .inList(let operand, let elements, let negated):
            node = try inList(build(operand), elements, negated: negated, syntax, operand)
        }
        return node.folded()
    }

    /// An error pointing at `token`.
    func failure(at token: ExpressionToken, _ message: String) -> ExpressionError {
        ExpressionError(location: location, column: token.column, token: token.text, message: message)
    }

    /// An error pointing at the start of `syntax`, quoting all of it as the token.
    func failure(over syntax: ExpressionSyntax, _ message: String) -> ExpressionError {
        ExpressionError(location: location, column: syntax.start + 1, token: text(of: syntax), message: message)
    }

    /// The source text of `syntax`.
    func text(of syntax: ExpressionSyntax) -> String {
        String(source[syntax.start..<syntax.end])
    }

    static func type(of value: FieldValue) -> ExpressionType {
        switch value {
        case .null: .null
        case .string, .text: .value(.string)
        case .int: .value(.int)
        case .double: .value(.double)
        case .bool: .value(.bool)
        case .timestamp: .value(.timestamp)
        case .json: .value(.json)
        }
    }

    /// The common type of values of `types` (nulls ignored): equal types, or `double` for a mix of numbers;
    /// nil when they conflict, with the index of the first conflicting type.
    static func unify(_ types: [ExpressionType]) -> (type: ExpressionType, conflict: Int?) {
        var result = ExpressionType.null
        for (index, type) in types.enumerated() where type != .null {
            if result == .null || result == type {
                result = type
            } else if result.isNumeric && type.isNumeric {
                result = .value(.double)
            } else {
                return (result, index)
            }
        }
        return (result, nil)
    }

    /// `node` converted to `type` (from `unify`): ints become doubles where doubles are expected.
    static func coerce(_ node: ExpressionCompiledNode, to type: ExpressionType) -> ExpressionCompiledNode {
        guard type == .value(.double), node.type == .value(.int) else { return node }
        let evaluate = node.evaluate
        var result = node
        result.type = type
        result.evaluate = { row, context throws(ExpressionRuntimeError) in
            let value = try evaluate(row, context)
            if case .int(let integer) = value { return .double(Double(integer)) }
            return value
        }
        result.constant = nil
        return result.folded()
    }
}
