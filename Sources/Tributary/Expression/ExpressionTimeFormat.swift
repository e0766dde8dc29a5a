/// A strftime-like pattern for `format_time`, parsed once, formatting timestamps in UTC.
///
/// Specifiers: `%Y` year (4 digits), `%m` month, `%d` day, `%H` hour, `%M` minute, `%S` second (2 digits each),
/// `%j` day of the year (3 digits), `%a` / `%b` English weekday / month abbreviations, `%f` microseconds
/// (6 digits), `%L` milliseconds (3 digits), `%s` epoch seconds, `%F` = `%Y-%m-%d`, `%T` = `%H:%M:%S`,
/// `%z` `+0000`, `%Z` `UTC`, `%%` a percent sign. Anything else is copied.
struct ExpressionTimeFormat: Sendable {
    private enum Piece: Sendable {
        case text(String)
        case year, month, day, hour, minute, second, dayOfYear, weekdayName, monthName
        case micros, millis, epochSeconds
    }

    private let pieces: [Piece]
    /// The longest text the pattern can give, in bytes.
    private let maxLength: Int

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let expansions: [Character: [Piece]] = [
        "Y": [.year], "m": [.month], "d": [.day], "H": [.hour], "M": [.minute], "S": [.second],
        "j": [.dayOfYear], "a": [.weekdayName], "b": [.monthName], "f": [.micros], "L": [.millis],
        "s": [.epochSeconds], "F": [.year, .text("-"), .month, .text("-"), .day],
        "T": [.hour, .text(":"), .minute, .text(":"), .second], "z": [.text("+0000")], "Z": [.text("UTC")],
        "%": [.text("%")],
    ]

    /// Parses `pattern`; throws the message for an unknown or unfinished specifier.
    init(_ pattern: String) throws(ExpressionRuntimeError) {
        var pieces: [Piece] = []
        var literal = ""
        var iterator = pattern.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                literal.append(character)
                continue
            }
            guard let specifier = iterator.next(), let expansion = Self.expansions[specifier] else {
                throw ExpressionRuntimeError(message: "unknown format specifier in '\(pattern)'; use %Y %m %d %H %M "
                                             + "%S %j %a %b %f %L %s %F %T %z %Z or %%")
            }
            if !literal.isEmpty { pieces.append(.text(literal)) }
            literal = ""
            pieces.append(contentsOf: expansion)
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self.pieces = pieces
        // 21: a sign and the 20 digits of any Int64; names are 3 bytes.
        maxLength = pieces.reduce(0) { total, piece in
            if case .text(let text) = piece { return total + text.utf8.count }
            return total + 21
        }
    }

    /// `micros` since the epoch formatted with the pattern.
    func format(_ micros: Int64) -> String {
        let (days, microsOfDay) = ExpressionTimeUnit.split(micros, by: ExpressionTimeUnit.microsPerDay)
        let date = CivilCalendar.date(daysSinceEpoch: days)
        let secondOfDay = microsOfDay / 1_000_000
        // Bytes, then one String: a short result (a date, say) is then a small string with no
        // allocation, where appending piece by piece costs several.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
            var count = 0
            func put(_ text: String) {
                for byte in text.utf8 {
                    buffer[count] = byte
                    count += 1
                }
            }
            func put(_ value: Int64, digits: Int) {
                // Months, days, hours, minutes and seconds: two digits from a table.
                if digits == 2 && value >= 0 && value < 100 {
                    TimestampFormat.writePair(value, into: buffer.baseAddress! + count)
                    count += 2
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
                    buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                }
                count += width
            }
            for piece in pieces {
                switch piece {
                case .text(let text): put(text)
                case .year: put(date.year, digits: 4)
                case .month: put(date.month, digits: 2)
                case .day: put(date.day, digits: 2)
                case .hour: put(secondOfDay / 3600, digits: 2)
                case .minute: put(secondOfDay / 60 % 60, digits: 2)
                case .second: put(secondOfDay % 60, digits: 2)
                case .dayOfYear:
                    let firstOfYear = CivilCalendar.daysSinceEpoch(year: date.year, month: 1, day: 1)
                    put(days - firstOfYear + 1, digits: 3)
                case .weekdayName: put(Self.weekdays[Int(ExpressionTimeUnit.split(days + 4, by: 7).remainder)])
                case .monthName: put(Self.months[Int(date.month - 1)])
                case .micros: put(microsOfDay % 1_000_000, digits: 6)
                case .millis: put(microsOfDay % 1_000_000 / 1000, digits: 3)
                case .epochSeconds: put(ExpressionTimeUnit.split(micros, by: 1_000_000).quotient, digits: 1)
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }
}
