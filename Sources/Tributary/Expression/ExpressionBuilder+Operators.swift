extension ExpressionBuilder {
    /// Dispatches a two-operand operator to comparison, concatenation or arithmetic.
    func binary(
        _ op: ExpressionBinaryOperator, _ left: ExpressionCompiledNode, _ right: ExpressionCompiledNode,
        _ syntax: ExpressionSyntax, _ leftSyntax: ExpressionSyntax, _ rightSyntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        if op.isComparison { return try comparison(op, left, right, syntax) }
        let string = ExpressionType.value(.string)
        if op == .concatenate || (op == .add && (left.type == string || right.type == string)) {
            return try concatenation(left, right, syntax)
        }
        guard (left.type.isNumeric || left.type == .null) && (right.type.isNumeric || right.type == .null) else {
            throw failure(at: syntax.token, arithmeticMismatch(syntax.token.text, left.type, right.type))
        }
        let text = self.text(of: syntax)
        let first = left.evaluate
        let second = right.evaluate
        if left.type == .value(.double) || right.type == .value(.double) {
            return ExpressionCompiledNode(type: .value(.double), over: [left, right]) {
                row, context throws(ExpressionRuntimeError) in
                guard let a = ExpressionArithmetic.asDouble(try first(row, context)),
                    let b = ExpressionArithmetic.asDouble(try second(row, context))
                else { return .null }
                return .double(try ExpressionArithmetic.double(op, a, b, text))
            }
        }
        let type: ExpressionType = left.type == .null && right.type == .null ? .null : .value(.int)
        if case .int(let b)? = right.constant {
            return ExpressionCompiledNode(type: type, over: [left]) { row, context throws(ExpressionRuntimeError) in
                guard case .int(let a) = try first(row, context) else { return .null }
                return .int(try ExpressionArithmetic.integer(op, a, b, text))
            }
        }
        return ExpressionCompiledNode(type: type, over: [left, right]) { row, context throws(ExpressionRuntimeError) in
            guard case .int(let a) = try first(row, context), case .int(let b) = try second(row, context) else {
                return .null
            }
            return .int(try ExpressionArithmetic.integer(op, a, b, text))
        }
    }

    private func arithmeticMismatch(_ symbol: String, _ left: ExpressionType, _ right: ExpressionType) -> String {
        let message = "operator '\(symbol)' is not defined for \(left) and \(right)"
        if left == .value(.timestamp) || right == .value(.timestamp) {
            return message + "; use functions such as epoch_millis() or date_trunc() on timestamps"
        }
        return message
    }

    /// `a || b`, or `+` with a string operand: both must be strings; null when either is null.
    private func concatenation(
        _ left: ExpressionCompiledNode, _ right: ExpressionCompiledNode, _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        let string = ExpressionType.value(.string)
        guard (left.type == string || left.type == .null) && (right.type == string || right.type == .null) else {
            throw failure(at: syntax.token, "operator '\(syntax.token.text)' is not defined for \(left.type) and "
                          + "\(right.type); convert with string() or use concat()")
        }
        let first = left.evaluate
        let second = right.evaluate
        return ExpressionCompiledNode(type: string, over: [left, right]) {
            row, context throws(ExpressionRuntimeError) in
            guard case .string(let a) = try first(row, context), case .string(let b) = try second(row, context) else {
                return .null
            }
            return .string(a + b)
        }
    }

    /// Unary minus on a number.
    func negate(
        _ operand: ExpressionCompiledNode, _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        guard operand.type.isNumeric || operand.type == .null else {
            throw failure(at: syntax.token, "operator '-' is not defined for \(operand.type)")
        }
        let text = self.text(of: syntax)
        let evaluate = operand.evaluate
        return ExpressionCompiledNode(type: operand.type, over: [operand]) {
            row, context throws(ExpressionRuntimeError) in
            switch try evaluate(row, context) {
            case .int(let value):
                guard value != .min else { throw ExpressionArithmetic.overflowError(text) }
                return .int(-value)
            case .double(let value): return .double(-value)
            default: return .null
            }
        }
    }
}
