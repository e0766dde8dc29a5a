extension ExpressionParser {
    /// A literal, a field (with an optional dotted path), a call or a parenthesised expression.
    mutating func parsePrimary() throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        switch token.kind {
        case .integer:
            return try integerLiteral(negative: false, minus: nil)
        case .decimal(let value):
            return literal(.double(value))
        case .string(let text):
            return literal(.string(text))
        case .keyword(.true):
            return literal(.bool(true))
        case .keyword(.false):
            return literal(.bool(false))
        case .keyword(.null):
            return literal(.null)
        case .identifier(let name):
            if peek(1).isSymbol(.openParen) { return try parseCall(name) }
            return try parseField(name)
        case .quotedIdentifier(let name):
            return try parseField(name)
        case .symbol(.openParen):
            return try parseParenthesised()
        default:
            throw unexpected("an operand")
        }
    }

    private mutating func literal(_ value: FieldValue) -> ExpressionSyntax {
        let token = current
        advance()
        return ExpressionSyntax(kind: .literal(value), token: token, start: token.start, end: token.end, depth: 0)
    }

    /// The current integer token, negated when `minus` precedes it.
    mutating func integerLiteral(negative: Bool, minus: ExpressionToken?) throws(ExpressionError) -> ExpressionSyntax {
        let digits = current
        let text = (negative ? "-" : "") + digits.text
        guard let value = Int64(text) else {
            throw failure(at: minus ?? digits, "integer literal '\(text)' is out of range")
        }
        advance()
        let start = minus?.start ?? digits.start
        var token = digits
        token.text = text
        token.start = start
        return ExpressionSyntax(kind: .literal(.int(value)), token: token, start: start, end: digits.end, depth: 0)
    }

    private mutating func parseParenthesised() throws(ExpressionError) -> ExpressionSyntax {
        let open = current
        var inner = try nested(at: open) { parser throws(ExpressionError) in
            parser.advance()
            let inner = try parser.parseOr()
            if parser.current.kind == .end {
                throw parser.failure(at: open, "unbalanced parentheses: '(' is never closed")
            }
            guard parser.current.isSymbol(.closeParen) else { throw parser.unexpected("an operator or ')'") }
            parser.advance()
            return inner
        }
        // Quoting the parenthesised form reads better in runtime messages.
        inner.start = open.start
        inner.end = previousEnd
        return inner
    }

    private mutating func parseCall(_ name: String) throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        advance()
        let open = current
        let arguments = try nested(at: open) { parser throws(ExpressionError) in
            parser.advance()
            return try parser.parseList(close: .closeParen, opener: open)
        }
        var named = token
        named.text = name
        return try node(.call(name: name.lowercased(), arguments: arguments), token: named, from: token.start,
                        to: previousEnd, children: arguments)
    }

    /// A field name followed by `.key` segments (identifiers, keywords or backquoted names).
    private mutating func parseField(_ name: String) throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        advance()
        var path: [String] = []
        while current.isSymbol(.dot) {
            advance()
            switch current.kind {
            case .identifier(let key), .quotedIdentifier(let key):
                path.append(key)
            case .keyword:
                path.append(current.text)
            case .integer, .decimal:
                throw unexpected("a key after '.' (array elements cannot be addressed)")
            default:
                throw unexpected("a key after '.'")
            }
            advance()
        }
        return ExpressionSyntax(kind: .field(name: name, path: path), token: token, start: token.start,
                                end: previousEnd, depth: 0)
    }
}
