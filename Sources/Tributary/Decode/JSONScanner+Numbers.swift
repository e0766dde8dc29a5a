extension JSONScanner {
    /// Skips a number starting at `pos`, enforcing RFC 8259's grammar.
    mutating func scanNumber() throws(JSONSyntaxError) {
        var index = pos
        if byte(at: index) == JSONByte.minus {
            index += 1
            guard index < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
            if byte(at: index) == UInt8(ascii: "I") { throw JSONSyntaxError(.infinity, at: pos) }
            guard JSONByte.isDigit(byte(at: index)) else { throw JSONSyntaxError(.digitAfterMinus, at: index) }
        }
        if byte(at: index) == JSONByte.zero {
            index += 1
            if index < end && JSONByte.isDigit(byte(at: index)) {
                throw JSONSyntaxError(.leadingZero, at: index - 1)
            }
        } else {
            index = digitsEnd(from: index)
        }
        if index < end && byte(at: index) == JSONByte.dot {
            index = try requiredDigitsEnd(from: index + 1, issue: .digitAfterPoint)
        }
        if index < end && byte(at: index) | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < end && (byte(at: index) == JSONByte.plus || byte(at: index) == JSONByte.minus) {
                index += 1
            }
            index = try requiredDigitsEnd(from: index, issue: .digitInExponent)
        }
        pos = index
    }

    /// The offset after a run of one or more digits starting at `start`, or `issue` if there is none.
    private func requiredDigitsEnd(from start: Int, issue: JSONSyntaxError.Issue) throws(JSONSyntaxError) -> Int {
        guard start < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
        guard JSONByte.isDigit(byte(at: start)) else { throw JSONSyntaxError(issue, at: start) }
        return digitsEnd(from: start)
    }

    @inline(__always)
    private func digitsEnd(from start: Int) -> Int {
        var index = start
        while index < end && JSONByte.isDigit(byte(at: index)) {
            index += 1
        }
        return index
    }

    /// Skips `literal` (true, false or null) at `pos`.
    mutating func scanLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let bytes = literal.utf8Start
        for index in 0..<count {
            guard pos + index < end else { throw JSONSyntaxError(.unexpectedEnd, at: end) }
            guard byte(at: pos + index) == bytes[index] else { throw JSONSyntaxError(.invalidLiteral, at: pos) }
        }
        pos += count
    }
}
