/// Recursive-descent parser from tokens to `ExpressionSyntax`, lowest precedence first:
/// `or`, `and`, `not`, comparisons (`=`, `is null`, `in [...]`), `+ - ||`, `* / %`, unary `-`, primaries.
///
/// Recursion is bounded: every parenthesis, call, list and prefix operator counts one nesting level,
/// every node one level of depth, and both are limited to `maxDepth`.
struct ExpressionParser {
    /// The deepest nesting accepted.
    static let maxDepth = 64

    let tokens: [ExpressionToken]
    let location: String
    var index = 0
    private var level = 0

    init(tokens: [ExpressionToken], location: String) {
        self.tokens = tokens
        self.location = location
    }

    /// The whole expression, which must use every token.
    mutating func parse() throws(ExpressionError) -> ExpressionSyntax {
        guard current.kind != .end else { throw failure(at: current, "empty expression") }
        let expression = try parseOr()
        guard current.kind == .end else {
            throw failure(at: current, "unexpected \(current.quoted) after the end of the expression")
        }
        return expression
    }

    var current: ExpressionToken { tokens[index] }

    func peek(_ offset: Int) -> ExpressionToken {
        tokens[min(index + offset, tokens.count - 1)]
    }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func failure(at token: ExpressionToken, _ message: String) -> ExpressionError {
        ExpressionError(location: location, column: token.column, token: token.text, message: message)
    }

    func unexpected(_ expected: String) -> ExpressionError {
        failure(at: current, "unexpected \(current.quoted), expected \(expected)")
    }

    /// Counts one nesting level for `token` around `body`.
    mutating func nested<T>(
        at token: ExpressionToken, _ body: (inout ExpressionParser) throws(ExpressionError) -> T
    ) throws(ExpressionError) -> T {
        guard level < Self.maxDepth else { throw tooDeep(token) }
        level += 1
        defer { level -= 1 }
        return try body(&self)
    }

    func tooDeep(_ token: ExpressionToken) -> ExpressionError {
        failure(at: token, "expression is nested too deeply (more than \(Self.maxDepth) levels)")
    }

    /// A node over `children`, checked against the depth limit.
    func node(
        _ kind: ExpressionSyntax.Kind, token: ExpressionToken, from start: Int, to end: Int,
        children: [ExpressionSyntax]
    ) throws(ExpressionError) -> ExpressionSyntax {
        let depth = 1 + children.reduce(0) { max($0, $1.depth) }
        guard depth <= Self.maxDepth else { throw tooDeep(token) }
        return ExpressionSyntax(kind: kind, token: token, start: start, end: end, depth: depth)
    }

    /// The end offset of the last consumed token.
    var previousEnd: Int { tokens[max(index - 1, 0)].end }

    // MARK: Operators

    mutating func parseOr() throws(ExpressionError) -> ExpressionSyntax {
        try parseLogical(.or) { parser throws(ExpressionError) in try parser.parseAnd() }
    }

    private mutating func parseAnd() throws(ExpressionError) -> ExpressionSyntax {
        try parseLogical(.and) { parser throws(ExpressionError) in try parser.parseNot() }
    }

    /// `operand (keyword operand)*` as one n-ary node.
    private mutating func parseLogical(
        _ keyword: ExpressionKeyword, operand: (inout ExpressionParser) throws(ExpressionError) -> ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionSyntax {
        let first = try operand(&self)
        guard current.isKeyword(keyword) else { return first }
        let token = current
        var operands = [first]
        while current.isKeyword(keyword) {
            advance()
            operands.append(try operand(&self))
        }
        return try node(.logical(isAnd: keyword == .and, operands), token: token, from: first.start,
                        to: previousEnd, children: operands)
    }

    private mutating func parseNot() throws(ExpressionError) -> ExpressionSyntax {
        guard current.isKeyword(.not) else { return try parseComparison() }
        let token = current
        let operand = try nested(at: token) { parser throws(ExpressionError) in
            parser.advance()
            return try parser.parseNot()
        }
        return try node(.not(operand), token: token, from: token.start, to: previousEnd, children: [operand])
    }

    mutating func parseAdditive() throws(ExpressionError) -> ExpressionSyntax {
        try parseBinary([.plus, .minus, .concatenate]) { parser throws(ExpressionError) in
            try parser.parseMultiplicative()
        }
    }

    mutating func parseMultiplicative() throws(ExpressionError) -> ExpressionSyntax {
        try parseBinary([.times, .divide, .modulo]) { parser throws(ExpressionError) in try parser.parseUnary() }
    }

    /// A left-associative chain of `symbols` between operands.
    private mutating func parseBinary(
        _ symbols: [ExpressionSymbol], operand: (inout ExpressionParser) throws(ExpressionError) -> ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionSyntax {
        var left = try operand(&self)
        while case .symbol(let symbol) = current.kind, symbols.contains(symbol),
            let op = ExpressionBinaryOperator(symbol)
        {
            let token = current
            advance()
            let right = try operand(&self)
            left = try node(.binary(op, left, right), token: token, from: left.start, to: previousEnd,
                            children: [left, right])
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionSyntax {
        guard current.isSymbol(.minus) else { return try parsePrimary() }
        let token = current
        if peek(1).kind == .integer {
            // Folded here so that -9223372036854775808 is in range.
            advance()
            return try integerLiteral(negative: true, minus: token)
        }
        let operand = try nested(at: token) { parser throws(ExpressionError) in
            parser.advance()
            return try parser.parseUnary()
        }
        return try node(.negate(operand), token: token, from: token.start, to: previousEnd, children: [operand])
    }
}
