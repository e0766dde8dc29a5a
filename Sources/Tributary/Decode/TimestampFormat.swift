/// RFC 3339 text ⇄ microseconds since 1970-01-01T00:00:00Z, for years 0001 to 9999, without Foundation.
public enum TimestampFormat {
    /// The microseconds from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z, the range parsed and formatted.
    public static let supportedRange: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    private static let microsPerSecond: Int64 = 1_000_000
    private static let microsPerDay: Int64 = 86_400_000_000
    /// The longest text `format` produces: `9999-12-31T23:59:59.999999Z`.
    private static let maxFormattedCount = 27

    /// RFC 3339 / ISO 8601 text (e.g. 2024-05-01T10:00:00Z, 2024-05-01T12:00:00.123+02:00, 2024-05-01 10:00:00Z,
    /// fractional seconds up to 9 digits truncated to microseconds) → microseconds since epoch, nil if invalid
    /// (also rejects month 13, day 32, Feb 30, hour 25, etc.).
    ///
    /// Also accepted: a lowercase `t` or `z`, offsets written `+0200`, a leap second `:60` (counted as the next
    /// second), and a bare date `2024-05-01` (midnight UTC). A time without a zone is rejected because its
    /// instant is unknown.
    public static func parse(_ text: UnsafeRawBufferPointer) -> Int64? {
        guard let days = parseDate(text) else { return nil }
        if text.count == 10 { return days * microsPerDay }
        guard let separator = byte(text, 10),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20,
            let secondOfDay = parseTime(text),
            let (fraction, zoneStart) = parseFraction(text, from: 19),
            let offset = parseOffset(text, from: zoneStart)
        else { return nil }
        let micros = (days * 86_400 + secondOfDay - offset) * microsPerSecond + fraction
        return supportedRange.contains(micros) ? micros : nil
    }

    /// Parses `text` as in `parse(_: UnsafeRawBufferPointer)`.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Microseconds → "2024-05-01T10:00:00.123Z" style: always UTC, always 3 fractional digits (milliseconds)
    /// unless the value has sub-millisecond precision, then 6 digits. Years 0001–9999; values outside
    /// `supportedRange` are clamped to it.
    public static func format(_ micros: Int64) -> String {
        String(unsafeUninitializedCapacity: maxFormattedCount) { buffer in
            write(micros, into: buffer.baseAddress!)
        }
    }

    /// Appends the text `format(micros)` returns, as UTF-8, to `buffer`.
    public static func append(_ micros: Int64, to buffer: inout [UInt8]) {
        write(micros, to: &buffer)
    }

    /// `append` for any output.
    static func write<Output: JSONOutput & ~Copyable>(_ micros: Int64, to buffer: inout Output) {
        buffer.append(atMost: maxFormattedCount) { write(micros, into: $0) }
    }

    /// Appends the text `format(micros)` returns as a JSON string, quotes included.
    static func writeQuoted<Output: JSONOutput & ~Copyable>(_ micros: Int64, to buffer: inout Output) {
        // In place, quotes and all: a timestamp is two of a row's values here, and copying
        // its 24 bytes from scratch memory took a call to memmove.
        buffer.append(atMost: maxFormattedCount + 2) { out in
            out[0] = JSONByte.quote
            let count = write(micros, into: out + 1)
            out[count + 1] = JSONByte.quote
            return count + 2
        }
    }

    // MARK: Parsing

    @inline(__always)
    private static func byte(_ text: UnsafeRawBufferPointer, _ index: Int) -> UInt8? {
        index < text.count ? text[index] : nil
    }

    /// The decimal number in exactly `count` digits at `start`, or nil.
    private static func number(_ text: UnsafeRawBufferPointer, at start: Int, digits count: Int) -> Int64? {
        guard start + count <= text.count else { return nil }
        var value: Int64 = 0
        for index in start..<start + count {
            guard JSONByte.isDigit(text[index]) else { return nil }
            value = value * 10 + Int64(text[index] - 0x30)
        }
        return value
    }

    /// The two digits at `start` as a number, or -1; `text` must hold `start + 2` bytes.
    @inline(__always)
    private static func pair(_ text: UnsafeRawBufferPointer, _ start: Int) -> Int64 {
        let tens = text[start] &- 0x30
        let ones = text[start + 1] &- 0x30
        return tens < 10 && ones < 10 ? Int64(tens) * 10 + Int64(ones) : -1
    }

    /// `YYYY-MM-DD` at the start of `text` → days since 1970-01-01.
    private static func parseDate(_ text: UnsafeRawBufferPointer) -> Int64? {
        guard text.count >= 10, text[4] == JSONByte.minus, text[7] == JSONByte.minus else { return nil }
        let century = pair(text, 0), yearOfCentury = pair(text, 2), month = pair(text, 5), day = pair(text, 8)
        guard century >= 0, yearOfCentury >= 0, month >= 0, day >= 0 else { return nil }
        let year = century * 100 + yearOfCentury
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(month, of: year) else { return nil }
        return CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
    }

    /// `HH:MM:SS` at offset 11 → seconds since midnight.
    private static func parseTime(_ text: UnsafeRawBufferPointer) -> Int64? {
        guard text.count >= 19, text[13] == JSONByte.colon, text[16] == JSONByte.colon else { return nil }
        let hour = pair(text, 11), minute = pair(text, 14), second = pair(text, 17)
        guard hour >= 0, minute >= 0, second >= 0, hour <= 23, minute <= 59, second <= 60 else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    /// An optional `.fraction` of 1 to 9 digits at `start` → (microseconds, truncated; offset after it).
    private static func parseFraction(_ text: UnsafeRawBufferPointer, from start: Int) -> (Int64, Int)? {
        guard byte(text, start) == JSONByte.dot else { return (0, start) }
        var index = start + 1
        var micros: Int64 = 0
        while index < text.count && JSONByte.isDigit(text[index]) {
            if index - start <= 6 { micros = micros * 10 + Int64(text[index] - 0x30) }
            index += 1
        }
        let digits = index - start - 1
        guard (1...9).contains(digits) else { return nil }
        for _ in min(digits, 6)..<6 { micros *= 10 }
        return (micros, index)
    }

    /// `Z`, `±HH:MM` or `±HHMM` ending `text` exactly at `start` → seconds east of UTC.
    private static func parseOffset(_ text: UnsafeRawBufferPointer, from start: Int) -> Int64? {
        guard let sign = byte(text, start) else { return nil }
        if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
            return start + 1 == text.count ? 0 : nil
        }
        guard sign == JSONByte.plus || sign == JSONByte.minus, let hours = number(text, at: start + 1, digits: 2)
        else { return nil }
        let minutesStart = byte(text, start + 3) == JSONByte.colon ? start + 4 : start + 3
        guard let minutes = number(text, at: minutesStart, digits: 2), minutesStart + 2 == text.count,
            hours <= 23, minutes <= 59
        else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return sign == JSONByte.minus ? -seconds : seconds
    }

    // MARK: Formatting

    /// Writes the formatted text (at most 27 bytes) to `out`; returns its length.
    static func write(_ micros: Int64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let clamped = min(max(micros, supportedRange.lowerBound), supportedRange.upperBound)
        var days = clamped / microsPerDay
        var rest = clamped % microsPerDay
        if rest < 0 {
            days -= 1
            rest += microsPerDay
        }
        let date = CivilCalendar.date(daysSinceEpoch: days)
        let second = rest / microsPerSecond
        let fraction = rest % microsPerSecond
        writeFourDigits(date.year, into: out)
        out[4] = JSONByte.minus
        writePair(date.month, into: out + 5)
        out[7] = JSONByte.minus
        writePair(date.day, into: out + 8)
        out[10] = UInt8(ascii: "T")
        writePair(second / 3600, into: out + 11)
        out[13] = JSONByte.colon
        writePair(second / 60 % 60, into: out + 14)
        out[16] = JSONByte.colon
        writePair(second % 60, into: out + 17)
        out[19] = JSONByte.dot
        if fraction % 1000 == 0 {
            let millis = fraction / 1000
            out[20] = UInt8(0x30 + millis / 100)
            writePair(millis % 100, into: out + 21)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
        writePair(fraction / 10_000, into: out + 20)
        writePair(fraction / 100 % 100, into: out + 22)
        writePair(fraction % 100, into: out + 24)
        out[26] = UInt8(ascii: "Z")
        return 27
    }

    /// "00" to "99", back to back: two digits per table read instead of a division per digit.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Writes `value` (0 to 99) as two digits.
    @inline(__always)
    static func writePair(_ value: Int64, into out: UnsafeMutablePointer<UInt8>) {
        let pair = digitPairs.utf8Start + Int(value) &* 2
        out[0] = pair[0]
        out[1] = pair[1]
    }

    /// Writes `value` (0 to 9999, a year) as four digits.
    @inline(__always)
    static func writeFourDigits(_ value: Int64, into out: UnsafeMutablePointer<UInt8>) {
        writePair(value / 100, into: out)
        writePair(value % 100, into: out + 2)
    }
}
