extension ExpressionLexer {
    /// Digits, an optional fraction and an optional exponent.
    mutating func number() throws(ExpressionError) -> ExpressionToken {
        let start = position
        var isDecimal = false
        skipDigits()
        if peek() == ".", let after = peek(1), after.isASCII, after.isNumber {
            isDecimal = true
            advance()
            skipDigits()
        }
        if let e = peek(), e == "e" || e == "E" {
            isDecimal = true
            advance()
            if let sign = peek(), sign == "+" || sign == "-" { advance() }
            guard let digit = peek(), digit.isASCII, digit.isNumber else { throw malformedNumber(from: start) }
            skipDigits()
        }
        if let next = peek(), Self.isNamePart(next) { throw malformedNumber(from: start) }
        let text = String(characters[start..<position])
        guard isDecimal else { return token(.integer, from: start) }
        guard let value = Double(text), value.isFinite else {
            throw failure(at: start, token: text, "number '\(text)' is out of range")
        }
        return token(.decimal(value), from: start)
    }

    private mutating func skipDigits() {
        while let next = peek(), next.isASCII, next.isNumber { advance() }
    }

    private mutating func malformedNumber(from start: Int) -> ExpressionError {
        while let next = peek(), Self.isNamePart(next) || next == "." { advance() }
        let text = String(characters[start..<position])
        return failure(at: start, token: text, "malformed number '\(text)'")
    }

    /// A string in `quote`s with the escapes \n \t \r \\ \' \"; a backslash before any other character stays.
    mutating func string(quote: Character) throws(ExpressionError) -> ExpressionToken {
        let start = position
        advance()
        var contents = ""
        while let next = peek() {
            advance()
            if next == quote { return token(.string(contents), from: start) }
            guard next == "\\" else {
                contents.append(next)
                continue
            }
            guard let escaped = peek() else { break }
            // Other escapes stay as written, so that regular expressions such as '\d+' need no doubling.
            if let replacement = Self.escapes[escaped] {
                contents.append(replacement)
            } else {
                contents.append("\\")
                contents.append(escaped)
            }
            advance()
        }
        throw failure(at: start, token: String(characters[start..<position]), "unterminated string")
    }

    private static let escapes: [Character: Character] = [
        "n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", "\"": "\"",
    ]

    /// A name in backquotes, which may contain any character but a backquote.
    mutating func quotedName() throws(ExpressionError) -> ExpressionToken {
        let start = position
        advance()
        while let next = peek(), next != "`" { advance() }
        guard peek() != nil else {
            throw failure(at: start, token: String(characters[start..<position]), "unterminated quoted name")
        }
        advance()
        let name = String(characters[start + 1..<position - 1])
        guard !name.isEmpty else { throw failure(at: start, token: "``", "empty quoted name") }
        return token(.quotedIdentifier(name), from: start)
    }
}
