extension ExpressionBuilder {
    /// Whether values of the two types can be tested for equality (null compares with anything).
    static func areComparable(_ a: ExpressionType, _ b: ExpressionType) -> Bool {
        a == .null || b == .null || a == b || (a.isNumeric && b.isNumeric)
    }

    /// `= != < <= > >=`, null when either side is null.
    func comparison(
        _ op: ExpressionBinaryOperator, _ left: ExpressionCompiledNode, _ right: ExpressionCompiledNode,
        _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        guard Self.areComparable(left.type, right.type) else {
            throw failure(at: syntax.token, "cannot compare \(left.type) with \(right.type)")
        }
        let ordered = !(op == .equal || op == .notEqual)
        for type in [left.type, right.type] where ordered && (type == .value(.bool) || type == .value(.json)) {
            throw failure(at: syntax.token, "'\(syntax.token.text)' does not apply to \(type) values; "
                          + "only = and != compare them")
        }
        let first = left.evaluate
        if let constant = right.constant, let index = left.column {
            if left.type == .value(.double), let number = Self.exactDouble(constant) {
                // `double column op number`, the usual numeric filter: a double compared with a
                // double, without going through every pair of types; null as below.
                return ExpressionCompiledNode(type: .value(.bool), over: [left]) { row, _ in
                    let value = row[index]
                    guard case .double(let x) = value else { return Self.compared(op, value, constant) }
                    return ExpressionOrdering.compare(x, number).map { .bool(op.holds($0)) } ?? .null
                }
            }
            // `column op constant`, the usual filter: one closure per row instead of two.
            return ExpressionCompiledNode(type: .value(.bool), over: [left]) { row, _ in
                Self.compared(op, row[index], constant)
            }
        }
        if let constant = right.constant {
            return ExpressionCompiledNode(type: .value(.bool), over: [left]) {
                row, context throws(ExpressionRuntimeError) in
                Self.compared(op, try first(row, context), constant)
            }
        }
        let second = right.evaluate
        return ExpressionCompiledNode(type: .value(.bool), over: [left, right]) {
            row, context throws(ExpressionRuntimeError) in
            let a = try first(row, context)
            if case .null = a { return .null }
            return Self.compared(op, a, try second(row, context))
        }
    }

    /// A numeric constant as a double that compares exactly as the constant does: a double, or
    /// an integer of at most 2^53 in magnitude (every one of which a double holds exactly).
    static func exactDouble(_ constant: FieldValue) -> Double? {
        switch constant {
        case .double(let number): number
        case .int(let number) where number.magnitude <= 1 << 53: Double(number)
        default: nil
        }
    }

    @inline(__always)
    static func compared(_ op: ExpressionBinaryOperator, _ a: FieldValue, _ b: FieldValue) -> FieldValue {
        switch op {
        case .equal: ExpressionOrdering.equal(a, b).map { .bool($0) } ?? .null
        case .notEqual: ExpressionOrdering.equal(a, b).map { .bool(!$0) } ?? .null
        default: ExpressionOrdering.compare(a, b).map { .bool(op.holds($0)) } ?? .null
        }
    }

    /// `x in [...]` / `x not in [...]` over constant elements.
    func inList(
        _ operand: ExpressionCompiledNode, _ elementSyntax: [ExpressionSyntax], negated: Bool,
        _ syntax: ExpressionSyntax, _ operandSyntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        var elements: [FieldValue] = []
        var hasNull = false
        for element in elementSyntax {
            let node = try build(element)
            guard let value = node.constant else {
                throw failure(over: element, "elements of an 'in' list must be constants")
            }
            guard Self.areComparable(operand.type, node.type) else {
                throw failure(over: element, "cannot compare \(operand.type) with \(node.type)")
            }
            if value == .null { hasNull = true } else { elements.append(value) }
        }
        let evaluate = operand.evaluate
        let candidates = elements
        let containsNull = hasNull
        return ExpressionCompiledNode(type: .value(.bool), over: [operand]) {
            row, context throws(ExpressionRuntimeError) in
            let value = try evaluate(row, context)
            if case .null = value { return .null }
            for element in candidates where ExpressionOrdering.equal(value, element) == true {
                return .bool(!negated)
            }
            return containsNull ? .null : .bool(negated)
        }
    }
}
