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
    }

    /// `micros` since the epoch formatted with the pattern.
    func format(_ micros: Int64) -> String {
        let (days, microsOfDay) = ExpressionTimeUnit.split(micros, by: ExpressionTimeUnit.microsPerDay)
        let date = CivilCalendar.date(daysSinceEpoch: days)
        let secondOfDay = microsOfDay / 1_000_000
        // No reserveCapacity: a result of up to 15 UTF-8 bytes (e.g. '%Y-%m-%d') then stays an
        // inline small string, with no heap allocation per row.
        var result = ""
        for piece in pieces {
            switch piece {
            case .text(let text): result += text
            case .year: Self.append(date.year, digits: 4, to: &result)
            case .month: Self.append(date.month, digits: 2, to: &result)
            case .day: Self.append(date.day, digits: 2, to: &result)
            case .hour: Self.append(secondOfDay / 3600, digits: 2, to: &result)
            case .minute: Self.append(secondOfDay / 60 % 60, digits: 2, to: &result)
            case .second: Self.append(secondOfDay % 60, digits: 2, to: &result)
            case .dayOfYear:
                let firstOfYear = CivilCalendar.daysSinceEpoch(year: date.year, month: 1, day: 1)
                Self.append(days - firstOfYear + 1, digits: 3, to: &result)
            case .weekdayName: result += Self.weekdays[Int(ExpressionTimeUnit.split(days + 4, by: 7).remainder)]
            case .monthName: result += Self.months[Int(date.month - 1)]
            case .micros: Self.append(microsOfDay % 1_000_000, digits: 6, to: &result)
            case .millis: Self.append(microsOfDay % 1_000_000 / 1000, digits: 3, to: &result)
            case .epochSeconds: result += String(ExpressionTimeUnit.split(micros, by: 1_000_000).quotient)
            }
        }
        return result
    }

    /// `value` in decimal, zero-padded to at least `digits` digits (a minus sign before the digits).
    private static func append(_ value: Int64, digits: Int, to result: inout String) {
        if value < 0 { result += "-" }
        let text = String(value.magnitude)
        for _ in text.utf8.count..<max(digits, text.utf8.count) { result += "0" }
        result += text
    }
}
