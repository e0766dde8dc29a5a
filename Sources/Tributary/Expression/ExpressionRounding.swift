/// The arithmetic of `round`: half away from zero, to a number of decimal digits (negative: tens, hundreds...).
enum ExpressionRounding {
    /// `value` rounded to `digits` decimals; nil when the result overflows.
    static func round(_ value: Int64, digits: Int64) -> Int64? {
        guard digits < 0 else { return value }
        guard digits >= -18 else { return 0 }
        var unit: Int64 = 1
        for _ in 0..<(-digits) { unit *= 10 }
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: unit)
        var rounded = quotient
        if remainder.magnitude * 2 >= unit.magnitude { rounded += value < 0 ? -1 : 1 }
        let (result, overflow) = rounded.multipliedReportingOverflow(by: unit)
        return overflow ? nil : result
    }

    /// `value` rounded to `digits` decimals (digits beyond a double's precision leave it unchanged).
    static func round(_ value: Double, digits: Int64) -> Double {
        guard digits != 0 else { return value.rounded(.toNearestOrAwayFromZero) }
        guard digits <= 22 else { return value }
        guard digits >= -22 else { return 0 * value }
        var unit = 1.0
        for _ in 0..<digits.magnitude { unit *= 10 }
        if digits > 0 {
            let scaled = value * unit
            return scaled.isFinite ? scaled.rounded(.toNearestOrAwayFromZero) / unit : value
        }
        return (value / unit).rounded(.toNearestOrAwayFromZero) * unit
    }
}
