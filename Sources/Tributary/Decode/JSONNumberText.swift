/// The parts of a validated JSON number's text, for exact integer and correctly rounded double conversion.
struct JSONNumberText {
    /// What an integer conversion found.
    enum IntegerResult: Equatable {
        case value(Int64)
        case fractional
        case outOfRange
    }

    let base: UnsafeRawPointer
    let start: Int
    let end: Int
    let negative: Bool
    let integerStart: Int
    let integerCount: Int
    let fractionStart: Int
    let fractionCount: Int
    /// The decimal exponent, saturated far beyond any meaningful magnitude so it cannot overflow.
    let exponent: Int

    /// Splits the validated number `[start, end)`.
    init(_ base: UnsafeRawPointer, from start: Int, to end: Int) {
        self.base = base
        self.start = start
        self.end = end
        var index = start
        negative = base.load(fromByteOffset: index, as: UInt8.self) == JSONByte.minus
        if negative { index += 1 }
        integerStart = index
        while index < end && JSONByte.isDigit(base.load(fromByteOffset: index, as: UInt8.self)) { index += 1 }
        integerCount = index - integerStart
        if index < end && base.load(fromByteOffset: index, as: UInt8.self) == JSONByte.dot { index += 1 }
        fractionStart = index
        while index < end && JSONByte.isDigit(base.load(fromByteOffset: index, as: UInt8.self)) { index += 1 }
        fractionCount = index - fractionStart
        exponent = Self.parseExponent(base, from: index, to: end)
    }

    /// The value of the validated exponent part `[start, end)`, which starts at its 'e' or 'E'; 0 when empty.
    private static func parseExponent(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        guard start < end else { return 0 }
        var index = start + 1
        let sign = base.load(fromByteOffset: index, as: UInt8.self)
        if sign == JSONByte.minus || sign == JSONByte.plus { index += 1 }
        var magnitude = 0
        while index < end {
            magnitude = min(magnitude * 10 + Int(base.load(fromByteOffset: index, as: UInt8.self) - 0x30), 1 << 40)
            index += 1
        }
        return sign == JSONByte.minus ? -magnitude : magnitude
    }

    /// The `position`-th significand digit, counting integer digits then fraction digits.
    @inline(__always)
    private func digit(_ position: Int) -> UInt64 {
        let offset = position < integerCount ? integerStart + position : fractionStart + position - integerCount
        return UInt64(base.load(fromByteOffset: offset, as: UInt8.self) - 0x30)
    }

    /// The exact value as an Int64 if it is integral and in range (1e3 and 2.0 count as integers).
    var integerValue: IntegerResult {
        let total = integerCount + fractionCount
        var first = 0
        while first < total && digit(first) == 0 { first += 1 }
        if first == total { return .value(0) }
        var last = total
        while digit(last - 1) == 0 { last -= 1 }
        // Trailing zeros move into the scale so that 2.0 and 1e3 are seen as integers.
        let scale = exponent - fractionCount + (total - last)
        if scale < 0 { return .fractional }
        if last - first + scale > 19 { return .outOfRange }
        var magnitude: UInt64 = 0
        for position in first..<last { magnitude = magnitude * 10 + digit(position) }
        for _ in 0..<scale {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return .outOfRange }
            magnitude = product
        }
        let limit: UInt64 = negative ? 1 << 63 : UInt64(Int64.max)
        if magnitude > limit { return .outOfRange }
        return .value(negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude))
    }

    /// The correctly rounded double value; infinite when the magnitude is too large for a Double.
    var doubleValue: Double {
        if let exact = exactDoubleValue { return exact }
        // Correctly rounded by the standard library; numbers up to 15 bytes make a small string, without allocating.
        return Double(JSONStringText.verbatim(base, from: start, to: end)) ?? .nan
    }

    /// Clinger's fast path: a significand below 2^53 times a power of ten up to 10^22 needs only one rounding.
    private var exactDoubleValue: Double? {
        let total = integerCount + fractionCount
        var first = 0
        while first < total && digit(first) == 0 { first += 1 }
        if first == total { return negative ? -0.0 : 0.0 }
        guard total - first <= 16 else { return nil }
        var significand: UInt64 = 0
        for position in first..<total { significand = significand * 10 + digit(position) }
        let power = exponent - fractionCount
        guard significand <= 1 << 53 && power >= -22 && power <= 22 else { return nil }
        var value = Double(significand)
        value = power < 0 ? value / Self.powersOfTen[-power] : value * Self.powersOfTen[power]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
