/// A precise syntax problem found while scanning JSON text, with the byte offset where it was found.
struct JSONSyntaxError: Error, Equatable {
    /// What was wrong.
    enum Issue: Equatable {
        case unexpectedEnd
        case expectedValue(found: UInt8)
        case expectedKey(found: UInt8)
        case singleQuote
        case comment
        case nan
        case infinity
        case leadingPlus
        case leadingDecimalPoint
        case leadingZero
        case digitAfterMinus
        case digitAfterPoint
        case digitInExponent
        case invalidLiteral
        case trailingCommaInObject
        case trailingCommaInArray
        case expectedColon
        case expectedObjectSeparator
        case expectedArraySeparator
        case controlCharacter(UInt8)
        case invalidEscape(UInt8)
        case invalidUnicodeEscape
        case unpairedSurrogate
        case invalidUTF8
        case tooDeep(limit: Int)
        case trailingCharacters
        /// A key read by the schema occurs twice in one object; the key as written.
        case duplicateKey(String)
    }

    var issue: Issue
    var offset: Int

    init(_ issue: Issue, at offset: Int) {
        self.issue = issue
        self.offset = offset
    }

    /// The error for a second occurrence of the key whose text (between its quotes) is
    /// `[start, end)` of `base`; the key is shown as written, cut after 40 bytes.
    static func duplicateKey(in base: UnsafeRawPointer, from start: Int, to end: Int) -> JSONSyntaxError {
        var cut = end
        if end - start > 40 {
            cut = start + 40
            while cut > start && base.load(fromByteOffset: cut, as: UInt8.self) & 0xC0 == 0x80 { cut -= 1 }
        }
        let key = JSONStringText.verbatim(base, from: start, to: cut) + (cut < end ? "…" : "")
        return JSONSyntaxError(.duplicateKey(key), at: start - 1)
    }

    /// The full reason text used in `DecodeFailure`.
    var reason: String {
        switch issue {
        case .invalidUTF8: "invalid UTF-8 at byte \(offset)"
        case .trailingCharacters: "trailing characters after the JSON value at byte \(offset)"
        case .duplicateKey(let key): "duplicate key \"\(key)\" at byte \(offset) (each key may appear only once in an object)"
        default: "invalid JSON at byte \(offset): \(detail)"
        }
    }

    private var detail: String {
        switch issue {
        case .unexpectedEnd: "unexpected end of input"
        case .expectedValue(let byte): "expected a value, found \(JSONByte.describe(byte))"
        case .expectedKey(let byte): "expected a double-quoted object key, found \(JSONByte.describe(byte))"
        case .singleQuote: "single quotes are not allowed (strings and keys need double quotes)"
        case .comment: "comments are not allowed"
        case .nan: "NaN is not allowed"
        case .infinity: "Infinity is not allowed"
        case .leadingPlus: "numbers must not start with '+'"
        case .leadingDecimalPoint: "numbers must start with a digit, not '.'"
        case .leadingZero: "leading zeros are not allowed in numbers"
        case .digitAfterMinus: "expected a digit after '-'"
        case .digitAfterPoint: "expected a digit after the decimal point"
        case .digitInExponent: "expected a digit in the exponent"
        case .invalidLiteral: "invalid literal (expected true, false or null)"
        case .trailingCommaInObject: "trailing comma in object"
        case .trailingCommaInArray: "trailing comma in array"
        case .expectedColon: "expected ':' after an object key"
        case .expectedObjectSeparator: "expected ',' or '}' after an object member"
        case .expectedArraySeparator: "expected ',' or ']' after an array element"
        case .controlCharacter(let byte): "unescaped control character \(JSONByte.hex(byte)) in string"
        case .invalidEscape(let byte): "invalid escape sequence (backslash followed by \(JSONByte.describe(byte)))"
        case .invalidUnicodeEscape: "invalid \\u escape (expected 4 hex digits)"
        case .unpairedSurrogate: "unpaired UTF-16 surrogate in \\u escape"
        case .tooDeep(let limit): "nesting deeper than \(limit) levels"
        case .invalidUTF8, .trailingCharacters, .duplicateKey: ""
        }
    }
}
