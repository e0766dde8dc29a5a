/// A strftime-like pattern for `format_time`, parsed once, formatting timestamps in UTC.
///
/// Specifiers: `%Y` year (4 digits), `%m` month, `%d` day, `%H` hour, `%M` minute, `%S` second (2 digits each),
/// `%j` day of the year (3 digits), `%a` / `%b` English weekday / month abbreviations, `%f` microseconds
/// (6 digits), `%L` milliseconds (3 digits), `%s` epoch seconds, `%F` = `%Y-%m-%d`, `%T` = `%H:%M:%S`,
/// `%z` `+0000`, `%Z` `UTC`, `%%` a percent sign. Anything else is copied.
struct ExpressionTimeFormat: Sendable {
    private enum Piece: Sendable {
        /// Literal text: a range of `literals`, so that formatting a row reads no String.
        case text(Range<Int>)
        case year, month, day, hour, minute, second, dayOfYear, weekdayName, monthName
        case micros, millis, epochSeconds
    }

    /// What a specifier stands for: pieces, or literal text.
    private enum Expansion {
        case pieces([Piece])
        case text(String)
    }

    private let pieces: [Piece]
    /// The literal text of every `.text` piece, back to back.
    private let literals: [UInt8]
    /// The longest text the pattern can give, in bytes.
    private let maxLength: Int

    private static let weekdays: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let expansions: [Character: [Expansion]] = [
        "Y": [.pieces([.year])], "m": [.pieces([.month])], "d": [.pieces([.day])], "H": [.pieces([.hour])],
        "M": [.pieces([.minute])], "S": [.pieces([.second])], "j": [.pieces([.dayOfYear])],
        "a": [.pieces([.weekdayName])], "b": [.pieces([.monthName])], "f": [.pieces([.micros])],
        "L": [.pieces([.millis])], "s": [.pieces([.epochSeconds])],
        "F": [.pieces([.year]), .text("-"), .pieces([.month]), .text("-"), .pieces([.day])],
        "T": [.pieces([.hour]), .text(":"), .pieces([.minute]), .text(":"), .pieces([.second])],
        "z": [.text("+0000")], "Z": [.text("UTC")], "%": [.text("%")],
    ]

    /// Parses `pattern`; throws the message for an unknown or unfinished specifier.
    init(_ pattern: String) throws(ExpressionRuntimeError) {
        var pieces: [Piece] = []
        var literals: [UInt8] = []
        // Literal text since the last piece, joined into one `.text` piece when it ends.
        var textStart = 0
        func endText() {
            if literals.count > textStart { pieces.append(.text(textStart..<literals.count)) }
            textStart = literals.count
        }
        var iterator = pattern.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                literals += Array(character.utf8)
                continue
            }
            guard let specifier = iterator.next(), let expansion = Self.expansions[specifier] else {
                throw ExpressionRuntimeError(message: "unknown format specifier in '\(pattern)'; use %Y %m %d %H %M "
                                             + "%S %j %a %b %f %L %s %F %T %z %Z or %%")
            }
            for part in expansion {
                switch part {
                case .text(let text): literals += Array(text.utf8)
                case .pieces(let more):
                    endText()
                    pieces += more
                }
            }
        }
        endText()
        self.pieces = pieces
        self.literals = literals
        // 21: a sign and the 20 digits of any Int64; names are 3 bytes. At least 1, so that
        // the scratch buffer of an empty pattern has an address.
        maxLength = max(1, literals.count + 21 * pieces.count)
    }

    /// `micros` since the epoch formatted with the pattern.
    func format(_ micros: Int64) -> String {
        // Bytes, then one String: a short result (a date, say) is then a small string with no
        // allocation, where appending piece by piece costs several.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
            pieces.withUnsafeBufferPointer { pieces in
                literals.withUnsafeBufferPointer { literals in
                    let count = Self.write(micros, pieces: pieces, literals: literals, into: buffer.baseAddress!)
                    return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
                }
            }
        }
    }

    /// Writes `micros` formatted with `pieces` to `out`; returns the length.
    private static func write(
        _ micros: Int64, pieces: UnsafeBufferPointer<Piece>, literals: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let (days, microsOfDay) = ExpressionTimeUnit.split(micros, by: ExpressionTimeUnit.microsPerDay)
        let date = CivilCalendar.date(daysSinceEpoch: days)
        let secondOfDay = microsOfDay / 1_000_000
        var count = 0
        func put(_ text: StaticString) {
            (out + count).initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
            count += text.utf8CodeUnitCount
        }
        func put(_ value: Int64, digits: Int) {
            // Months, days, hours, minutes and seconds: two digits from a table; years 0 to
            // 9999: two pairs.
            if digits == 2 && value >= 0 && value < 100 {
                TimestampFormat.writePair(value, into: out + count)
                count += 2
                return
            }
            if digits == 4 && value >= 0 && value < 10_000 {
                TimestampFormat.writeFourDigits(value, into: out + count)
                count += 4
                return
            }
            if value < 0 { put("-") }
            var magnitude = value.magnitude
            var length = 1
            var scale: UInt64 = 10
            while length < 20 && magnitude >= scale {
                length += 1
                scale = scale &* 10
            }
            let width = max(length, digits)
            for position in stride(from: count + width - 1, through: count, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            count += width
        }
        for piece in pieces {
            switch piece {
            case .text(let range):
                (out + count).initialize(from: literals.baseAddress! + range.lowerBound, count: range.count)
                count += range.count
            case .year: put(date.year, digits: 4)
            case .month: put(date.month, digits: 2)
            case .day: put(date.day, digits: 2)
            case .hour: put(secondOfDay / 3600, digits: 2)
            case .minute: put(secondOfDay / 60 % 60, digits: 2)
            case .second: put(secondOfDay % 60, digits: 2)
            case .dayOfYear:
                let firstOfYear = CivilCalendar.daysSinceEpoch(year: date.year, month: 1, day: 1)
                put(days - firstOfYear + 1, digits: 3)
            case .weekdayName: put(weekdays[Int(ExpressionTimeUnit.split(days + 4, by: 7).remainder)])
            case .monthName: put(months[Int(date.month - 1)])
            case .micros: put(microsOfDay % 1_000_000, digits: 6)
            case .millis: put(microsOfDay % 1_000_000 / 1000, digits: 3)
            case .epochSeconds: put(ExpressionTimeUnit.split(micros, by: 1_000_000).quotient, digits: 1)
            }
        }
        return count
    }
}
