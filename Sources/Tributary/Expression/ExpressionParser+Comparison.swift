extension ExpressionParser {
    /// An additive expression, optionally followed by one comparison, `is [not] null` or `[not] in [...]`.
    mutating func parseComparison() throws(ExpressionError) -> ExpressionSyntax {
        let left = try parseAdditive()
        let token = current
        let result: ExpressionSyntax
        if case .symbol(let symbol) = token.kind, let op = ExpressionBinaryOperator(symbol), op.isComparison {
            advance()
            let right = try parseAdditive()
            result = try node(.binary(op, left, right), token: token, from: left.start, to: previousEnd,
                              children: [left, right])
        } else if token.isKeyword(.is) {
            result = try parseIsNull(left)
        } else if token.isKeyword(.in) || (token.isKeyword(.not) && peek(1).isKeyword(.in)) {
            result = try parseIn(left)
        } else {
            return left
        }
        if isComparisonStart {
            throw failure(at: current, "comparisons cannot be chained; combine them with 'and'")
        }
        return result
    }

    private var isComparisonStart: Bool {
        if case .symbol(let symbol) = current.kind, let op = ExpressionBinaryOperator(symbol) {
            return op.isComparison
        }
        return current.isKeyword(.is) || current.isKeyword(.in) || (current.isKeyword(.not) && peek(1).isKeyword(.in))
    }

    /// `is null` or `is not null` after `operand`.
    private mutating func parseIsNull(_ operand: ExpressionSyntax) throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        advance()
        let negated = current.isKeyword(.not)
        if negated { advance() }
        guard current.isKeyword(.null) else { throw unexpected(negated ? "'null'" : "'null' or 'not null'") }
        advance()
        return try node(.isNull(operand, negated: negated), token: token, from: operand.start, to: previousEnd,
                        children: [operand])
    }

    /// `in [a, b, ...]` or `not in [...]` after `operand`.
    private mutating func parseIn(_ operand: ExpressionSyntax) throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        let negated = current.isKeyword(.not)
        if negated { advance() }
        advance()
        guard current.isSymbol(.openBracket) else { throw unexpected("'[' to start the list after 'in'") }
        let open = current
        let elements = try nested(at: open) { parser throws(ExpressionError) in
            parser.advance()
            return try parser.parseList(close: .closeBracket, opener: open)
        }
        return try node(.inList(operand, elements, negated: negated), token: token, from: operand.start,
                        to: previousEnd, children: [operand] + elements)
    }

    /// Comma-separated expressions up to and including `close`; the opener is already consumed.
    mutating func parseList(
        close: ExpressionSymbol, opener: ExpressionToken
    ) throws(ExpressionError) -> [ExpressionSyntax] {
        var elements: [ExpressionSyntax] = []
        if current.isSymbol(close) {
            advance()
            return elements
        }
        while true {
            elements.append(try parseOr())
            if current.isSymbol(close) {
                advance()
                return elements
            }
            if current.kind == .end {
                throw failure(at: opener, "unbalanced \(close == .closeParen ? "parentheses" : "brackets"): "
                              + "'\(opener.text)' is never closed")
            }
            guard current.isSymbol(.comma) else { throw unexpected("',' or '\(close.rawValue)'") }
            advance()
        }
    }
}
