/// The units `date_trunc` rounds timestamps down to, in UTC.
enum ExpressionTimeUnit: String, Sendable, CaseIterable {
    case second, minute, hour, day, month, year

    static let microsPerDay: Int64 = 86_400_000_000

    /// The start of the `self` containing `micros` (rounding down, also before 1970).
    func truncate(_ micros: Int64) -> Int64 {
        switch self {
        case .second: return Self.floor(micros, to: 1_000_000)
        case .minute: return Self.floor(micros, to: 60_000_000)
        case .hour: return Self.floor(micros, to: 3_600_000_000)
        case .day: return Self.floor(micros, to: Self.microsPerDay)
        case .month, .year:
            let date = CivilCalendar.date(daysSinceEpoch: Self.split(micros, by: Self.microsPerDay).quotient)
            let days = CivilCalendar.daysSinceEpoch(year: date.year, month: self == .month ? date.month : 1, day: 1)
            return days * Self.microsPerDay
        }
    }

    private static func floor(_ value: Int64, to unit: Int64) -> Int64 {
        split(value, by: unit).quotient * unit
    }

    /// Floored division: the remainder is always in `0..<divisor` (divisor > 0).
    static func split(_ value: Int64, by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
