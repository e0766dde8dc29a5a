/// Splits an expression's source into tokens, ending with one `.end` token.
struct ExpressionLexer {
    let characters: [Character]
    private(set) var position = 0
    /// Prefixes the messages of the errors thrown.
    let location: String

    init(_ source: String, location: String) {
        characters = Array(source)
        self.location = location
    }

    /// All tokens of the source.
    mutating func tokenize() throws(ExpressionError) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        while true {
            skipWhitespace()
            guard position < characters.count else {
                tokens.append(ExpressionToken(kind: .end, text: "", start: position, end: position))
                return tokens
            }
            tokens.append(try next())
        }
    }

    private mutating func skipWhitespace() {
        while position < characters.count && characters[position].isWhitespace { position += 1 }
    }

    private mutating func next() throws(ExpressionError) -> ExpressionToken {
        let start = position
        let first = characters[position]
        if first.isASCII && first.isNumber { return try number() }
        if Self.isNameStart(first) { return name() }
        if first == "'" || first == "\"" { return try string(quote: first) }
        if first == "`" { return try quotedName() }
        if let symbol = symbol() {
            return token(.symbol(symbol), from: start)
        }
        throw failure(at: start, token: String(first), "unexpected character '\(first)'")
    }

    func token(_ kind: ExpressionToken.Kind, from start: Int) -> ExpressionToken {
        ExpressionToken(kind: kind, text: String(characters[start..<position]), start: start, end: position)
    }

    static func isNameStart(_ character: Character) -> Bool {
        character == "_" || (character.isASCII && character.isLetter)
    }

    static func isNamePart(_ character: Character) -> Bool {
        isNameStart(character) || (character.isASCII && character.isNumber)
    }

    private mutating func name() -> ExpressionToken {
        let start = position
        while position < characters.count && Self.isNamePart(characters[position]) { position += 1 }
        let text = String(characters[start..<position])
        if let keyword = ExpressionKeyword(rawValue: text.lowercased()) {
            return token(.keyword(keyword), from: start)
        }
        return token(.identifier(text), from: start)
    }

    /// The longest operator at the current position.
    private mutating func symbol() -> ExpressionSymbol? {
        if position + 1 < characters.count,
            let pair = ExpressionSymbol(rawValue: String(characters[position...position + 1]))
        {
            position += 2
            return pair
        }
        guard let single = ExpressionSymbol(rawValue: String(characters[position])) else { return nil }
        position += 1
        return single
    }

    func peek(_ offset: Int = 0) -> Character? {
        position + offset < characters.count ? characters[position + offset] : nil
    }

    mutating func advance() {
        position += 1
    }

    func failure(at offset: Int, token: String, _ message: String) -> ExpressionError {
        ExpressionError(location: location, column: offset + 1, token: token, message: message)
    }
}
