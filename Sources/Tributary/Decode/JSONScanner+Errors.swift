extension JSONScanner {
    /// The error for an unexpected byte where an object key was expected, at `pos`.
    func keyError(_ found: UInt8) -> JSONSyntaxError {
        switch found {
        case JSONByte.singleQuote: JSONSyntaxError(.singleQuote, at: pos)
        case JSONByte.slash: JSONSyntaxError(.comment, at: pos)
        default: JSONSyntaxError(.expectedKey(found: found), at: pos)
        }
    }

    /// The error for an unexpected byte after an array element or object member, at `pos`.
    func separatorError(_ found: UInt8, isObject: Bool) -> JSONSyntaxError {
        if found == JSONByte.slash { return JSONSyntaxError(.comment, at: pos) }
        return JSONSyntaxError(isObject ? .expectedObjectSeparator : .expectedArraySeparator, at: pos)
    }

    /// The error for a byte that cannot start a value, at `pos`; names the usual non-JSON habits.
    func valueStartError(_ found: UInt8) -> JSONSyntaxError {
        let issue: JSONSyntaxError.Issue
        switch found {
        case JSONByte.singleQuote: issue = .singleQuote
        case JSONByte.slash: issue = .comment
        case JSONByte.plus: issue = .leadingPlus
        case JSONByte.dot: issue = .leadingDecimalPoint
        case UInt8(ascii: "N") where hasPrefix("NaN", at: pos): issue = .nan
        case UInt8(ascii: "I") where hasPrefix("Inf", at: pos): issue = .infinity
        default: issue = .expectedValue(found: found)
        }
        return JSONSyntaxError(issue, at: pos)
    }

    /// Whether the input at `offset` starts with `literal`.
    func hasPrefix(_ literal: StaticString, at offset: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= end else { return false }
        let bytes = literal.utf8Start
        for index in 0..<count where byte(at: offset + index) != bytes[index] {
            return false
        }
        return true
    }
}
