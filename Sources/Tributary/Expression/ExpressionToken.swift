/// One lexical unit of an expression's source.
struct ExpressionToken: Sendable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        /// Decimal digits, not yet range-checked (a leading minus may make Int64.min fit).
        case integer
        case decimal(Double)
        /// A quoted string's unescaped contents.
        case string(String)
        case identifier(String)
        /// A backquoted name's contents.
        case quotedIdentifier(String)
        case keyword(ExpressionKeyword)
        case symbol(ExpressionSymbol)
        case end
    }

    var kind: Kind
    /// The token's source text.
    var text: String
    /// The offset of the token's first character in the source.
    var start: Int
    /// The offset just past the token's last character.
    var end: Int

    /// The 1-based column of the token's first character.
    var column: Int { start + 1 }

    /// How the token is quoted in messages: `'text'`, or "the end of the expression".
    var quoted: String {
        kind == .end ? "end of the expression" : "'\(text)'"
    }

    func isKeyword(_ keyword: ExpressionKeyword) -> Bool {
        kind == .keyword(keyword)
    }

    func isSymbol(_ symbol: ExpressionSymbol) -> Bool {
        kind == .symbol(symbol)
    }
}

/// The reserved words, matched case-insensitively.
enum ExpressionKeyword: String, Sendable, CaseIterable {
    case and, or, not, `is`, null, `in`, `true`, `false`
}

/// Operators and punctuation.
enum ExpressionSymbol: String, Sendable, CaseIterable {
    case equal = "=", doubleEqual = "==", notEqual = "!=", lessGreater = "<>"
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case plus = "+", minus = "-", concatenate = "||", times = "*", divide = "/", modulo = "%"
    case openParen = "(", closeParen = ")", openBracket = "[", closeBracket = "]", comma = ",", dot = "."
}
