@testable import Tributary
import Foundation
import Testing

@Suite struct TimestampFormatTests {
    @Test func parsesRFC3339Variants() {
        let expectations: [(String, Int64)] = [
            ("1970-01-01T00:00:00Z", 0),
            ("2024-05-01T10:00:00Z", 1_714_557_600_000_000),
            ("2024-05-01T12:00:00.123+02:00", 1_714_557_600_123_000),
            ("2024-05-01T04:30:00.5-05:30", 1_714_557_600_500_000),
            ("2024-05-01T12:00:00+0200", 1_714_557_600_000_000),
            ("2024-05-01 10:00:00Z", 1_714_557_600_000_000),
            ("2024-05-01t10:00:00z", 1_714_557_600_000_000),
            ("2024-05-01T10:00:00.1Z", 1_714_557_600_100_000),
            ("2024-05-01T10:00:00.123456Z", 1_714_557_600_123_456),
            ("2024-05-01T10:00:00.123456789Z", 1_714_557_600_123_456),
            ("2024-05-01T10:00:00.000000999Z", 1_714_557_600_000_000),
            ("2024-05-01", 1_714_521_600_000_000),
            ("1969-12-31T23:59:59.999999Z", -1),
            ("1969-12-31T23:59:59.9999999Z", -1),
            ("1900-01-01T00:00:00Z", -2_208_988_800_000_000),
            ("2016-12-31T23:59:60Z", 1_483_228_800_000_000),
            ("0001-01-01T00:00:00Z", TimestampFormat.supportedRange.lowerBound),
            ("9999-12-31T23:59:59.999999Z", TimestampFormat.supportedRange.upperBound),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000_000),
            ("2000-02-29T00:00:00Z", 951_782_400_000_000),
        ]
        for (text, micros) in expectations {
            #expect(TimestampFormat.parse(text) == micros, "\(text)")
        }
    }

    @Test(arguments: [
        "", "2024", "2024-05-01T", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-32T00:00:00Z",
        "2024-01-00T00:00:00Z", "2024-04-31T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2024-02-30T00:00:00Z", "2024-01-01T25:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z",
        "2024-01-01T10:00:61Z", "2024-01-01T10:00:00", "2024-01-01T10:00:00+2:00", "2024-01-01T10:00:00+24:00",
        "2024-01-01T10:00:00+02:60", "2024-01-01T10:00:00+02", "2024-1-01T10:00:00Z", "2024-01-01T10:00Z",
        "2024-01-01T10:00:00.Z", "2024-01-01T10:00:00.1234567890Z", "2024-01-01T10:00:00Z ", " 2024-01-01T10:00:00Z",
        "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "2024-01-01X10:00:00Z", "2024/01/01T10:00:00Z",
        "2024-01-01T10:00:00ZZ", "2024-01-01T1a:00:00Z", "+2024-01-01T10:00:00Z", "2024-01-01T10:00:00,5Z",
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(TimestampFormat.parse(text) == nil)
    }

    @Test func formatsMillisecondsOrMicroseconds() {
        #expect(TimestampFormat.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(TimestampFormat.format(1_714_557_600_123_000) == "2024-05-01T10:00:00.123Z")
        #expect(TimestampFormat.format(1_714_557_600_123_456) == "2024-05-01T10:00:00.123456Z")
        #expect(TimestampFormat.format(1_714_557_600_000_001) == "2024-05-01T10:00:00.000001Z")
        #expect(TimestampFormat.format(-1) == "1969-12-31T23:59:59.999999Z")
        #expect(TimestampFormat.format(-1000) == "1969-12-31T23:59:59.999Z")
        #expect(TimestampFormat.format(-2_208_988_800_000_000) == "1900-01-01T00:00:00.000Z")
        #expect(TimestampFormat.format(1_709_164_800_000_000) == "2024-02-29T00:00:00.000Z")
        #expect(TimestampFormat.format(TimestampFormat.supportedRange.lowerBound) == "0001-01-01T00:00:00.000Z")
        #expect(TimestampFormat.format(TimestampFormat.supportedRange.upperBound) == "9999-12-31T23:59:59.999999Z")
        #expect(TimestampFormat.format(.min) == "0001-01-01T00:00:00.000Z", "clamped")
        #expect(TimestampFormat.format(.max) == "9999-12-31T23:59:59.999999Z", "clamped")
        var buffer = Array("x".utf8)
        TimestampFormat.append(-1000, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "x1969-12-31T23:59:59.999Z")
    }

    @Test func roundTripsAcrossTheWholeRange() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let range = TimestampFormat.supportedRange
        let span = UInt64(range.upperBound - range.lowerBound)
        for index in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var micros = range.lowerBound + Int64((state >> 1) % span)
            if index % 2 == 0 { micros -= micros % 1000 }  // so that both 3- and 6-digit fractions are written
            let text = TimestampFormat.format(micros)
            #expect(TimestampFormat.parse(text) == micros, "\(text)")
            #expect(text.utf8.count == (micros % 1000 == 0 ? 24 : 27))
        }
    }

    @Test func agreesWithFoundationCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Foundation's Gregorian calendar switches to Julian before 1582, so stay after it.
            let year = 1600 + Int(state >> 33) % 800
            let month = 1 + Int(state >> 20) % 12
            let day = 1 + Int(state >> 8) % 28
            let hour = Int(state >> 40) % 24
            let minute = Int(state >> 45) % 60
            let second = Int(state >> 51) % 60
            let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            let date = try #require(calendar.date(from: components))
            let text = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute, second)
            #expect(TimestampFormat.parse(text) == Int64(date.timeIntervalSince1970) * 1_000_000, "\(text)")
        }
    }

    @Test func decoderUsesTimestampRules() {
        #expect(valueOf(#""2024-05-01T10:00:00Z""#, as: .timestamp) == .timestamp(1_714_557_600_000_000))
        #expect(valueOf(#""1969-07-20T20:17:40Z""#, as: .timestamp) == .timestamp(-14_182_940_000_000))
        #expect(valueOf("-14182940000", as: .timestamp) == .timestamp(-14_182_940_000_000))
        #expect(valueOf("0", as: .timestamp) == .timestamp(0))
        #expect(reasonFor(#""2023-02-29""#, as: .timestamp) == #"field a: expected timestamp, got "2023-02-29""#)
    }
}

@Suite struct CivilCalendarTests {
    @Test("the fast date conversion agrees with the era-based one on every day it handles")
    func affineDatesAgreeWithEras() {
        var mismatches: [Int64] = []
        // Every day from 1600 to 2400 (leap centuries and all), then every 11th day of the
        // whole range (about a second in a debug build).
        let everyDay = CivilCalendar.daysSinceEpoch(year: 1600, month: 1, day: 1)...CivilCalendar.daysSinceEpoch(year: 2400, month: 12, day: 31)
        let sampled = stride(from: CivilCalendar.affineRange.lowerBound, through: CivilCalendar.affineRange.upperBound, by: 11)
        for days in Array(everyDay) + Array(sampled) + [CivilCalendar.affineRange.upperBound] where mismatches.count < 5 {
            let fast = CivilCalendar.dateByAffineFunctions(days)
            let reference = CivilCalendar.dateByEras(days)
            if fast.year != reference.year || fast.month != reference.month || fast.day != reference.day {
                mismatches.append(days)
            }
        }
        #expect(mismatches.isEmpty, "first days that differ: \(mismatches)")
        // And the dispatcher falls back outside that range.
        for days: Int64 in [CivilCalendar.affineRange.lowerBound - 1, CivilCalendar.affineRange.upperBound + 1, -100_000_000, 100_000_000] {
            let date = CivilCalendar.date(daysSinceEpoch: days)
            #expect(CivilCalendar.daysSinceEpoch(year: date.year, month: date.month, day: date.day) == days)
        }
    }
}
