extension ExpressionBuilder {
    /// `not x`: three-valued negation of a bool.
    func not(
        _ operand: ExpressionCompiledNode, _ syntax: ExpressionSyntax, _ operandSyntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        try requireBool(operand, operandSyntax, of: "not")
        let evaluate = operand.evaluate
        return ExpressionCompiledNode(type: .value(.bool), over: [operand]) {
            row, context throws(ExpressionRuntimeError) in
            guard case .bool(let value) = try evaluate(row, context) else { return .null }
            return .bool(!value)
        }
    }

    /// `a and b and ...` / `a or b or ...` with three-valued logic, stopping at the deciding operand.
    func logical(
        isAnd: Bool, _ operandSyntax: [ExpressionSyntax], _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        var operands: [ExpressionCompiledNode] = []
        for element in operandSyntax {
            let operand = try build(element)
            try requireBool(operand, element, of: isAnd ? "and" : "or")
            operands.append(operand)
        }
        let decisive = !isAnd  // the operand value that settles the result
        if operands.count == 2 {
            let first = operands[0].evaluate
            let second = operands[1].evaluate
            return ExpressionCompiledNode(type: .value(.bool), over: operands) {
                row, context throws(ExpressionRuntimeError) in
                let left = try first(row, context)
                if case .bool(decisive) = left { return left }
                let right = try second(row, context)
                if case .bool(decisive) = right { return right }
                return left == .null || right == .null ? .null : .bool(!decisive)
            }
        }
        let evaluators = operands.map(\.evaluate)
        return ExpressionCompiledNode(type: .value(.bool), over: operands) {
            row, context throws(ExpressionRuntimeError) in
            var sawNull = false
            for evaluate in evaluators {
                switch try evaluate(row, context) {
                case .bool(decisive): return .bool(decisive)
                case .bool: continue
                default: sawNull = true
                }
            }
            return sawNull ? .null : .bool(!decisive)
        }
    }

    /// `x is null` / `x is not null`, never null itself.
    func isNull(_ operand: ExpressionCompiledNode, negated: Bool) -> ExpressionCompiledNode {
        let evaluate = operand.evaluate
        return ExpressionCompiledNode(type: .value(.bool), over: [operand]) {
            row, context throws(ExpressionRuntimeError) in
            if case .null = try evaluate(row, context) { return .bool(!negated) }
            return .bool(negated)
        }
    }

    func requireBool(
        _ node: ExpressionCompiledNode, _ syntax: ExpressionSyntax, of keyword: String
    ) throws(ExpressionError) {
        guard node.type == .value(.bool) || node.type == .null else {
            throw failure(over: syntax, "operand of '\(keyword)' must be bool, got \(node.type)")
        }
    }
}
