@testable import Tributary
import Foundation
import Testing

@Suite struct JSONLineWriterTests {
    let schema = Schema(fields: [
        SchemaField(name: "s", type: .string), SchemaField(name: "i", type: .int),
        SchemaField(name: "d", type: .double), SchemaField(name: "b", type: .bool),
        SchemaField(name: "t", type: .timestamp), SchemaField(name: "j", type: .json),
        SchemaField(name: "n", type: .string),
    ])

    private func written(_ row: [FieldValue], schema: Schema? = nil) -> String {
        var buffer: [UInt8] = []
        JSONLineWriter(schema: schema ?? self.schema).append(row[...], to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func writesEveryTypeExactly() {
        let row: [FieldValue] = [
            .string("a\"b\\c\n\t\u{1}é😀/"), .int(.min), .double(3.0), .bool(false),
            .timestamp(1_714_557_600_123_000), .json(#"{"x":[1,2]}"#), .null,
        ]
        #expect(written(row) == #"{"s":"a\"b\\c\n\t\u0001é😀/","i":-9223372036854775808,"d":3.0,"b":false,"#
            + #""t":"2024-05-01T10:00:00.123Z","j":{"x":[1,2]},"n":null}"# + "\n")
    }

    @Test("a chunk's rows written at once (lines) are byte for byte the rows written one by one, buffer growth included")
    func linesMatchRowByRowWriting() {
        let writer = ProjectedRowWriter(columns: [("s", 0), ("t", 4), ("d", 2), ("n", 6), ("j", 5), ("i", 1), ("b", 3)])
        var rows = RowBuffer(width: 7)
        // Long strings full of escapes outgrow the buffer's first estimate many times over.
        let long = String(repeating: "\"\\\u{1}é😀 ", count: 300)
        rows.withStorage { values in
            for index in 0..<300 {
                values += [
                    .string(index % 3 == 0 ? long : "r\(index)"), .int(Int64(index) - 150), .double(Double(index) / 8),
                    .bool(index % 2 == 0), .timestamp(Int64(index) * 86_400_123_456), .json(index % 5 == 0 ? "[1,{\"a\":2}]" : "null"), .null,
                ]
            }
        }
        let selection = Array(stride(from: 0, to: 300, by: 2)) + [1, 299]
        var expected: [UInt8] = []
        for row in selection { writer.append(rows[row], to: &expected) }
        let written = writer.lines(selection, of: rows).array
        // The first differing byte, rather than two arrays of a megabyte in the failure message.
        let firstDifference = zip(written.indices, zip(written, expected)).first { $0.1.0 != $0.1.1 }?.0
        #expect(written.count == expected.count)
        #expect(firstDifference == nil)
        #expect(writer.lines([], of: rows).isEmpty)
    }

    @Test("pieces of every length from 0 to 40 bytes are appended exactly, whichever way they are copied")
    func outputBytesAppendsEveryLength() {
        let source = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var output = OutputBytes(capacity: 1)
        var expected: [UInt8] = []
        for length in 0...40 {
            for offset in [0, 3, 64 - length] {
                source.withUnsafeBytes { output.append(bytes: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
                expected += source[offset..<(offset + length)]
            }
        }
        #expect(output.block().array == expected)
    }

    @Test func doublesAreWrittenExactlyAsDescriptionWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 0.5, 57.3, -57.3, 99.99, 0.0001, 0.00011, 0.00001, 1e13, 99_999_999_999_999.9,
                                1e14, 1e15, 1e16, 123.456_7, 0.1 + 0.2, .pi, -.pi, 1e-300, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                                .infinity, -.infinity, .nan, 2.5, 1234.5678, 1234.56789]
        for _ in 0..<20_000 {
            let decimals = Double(Int.random(in: 0...6, using: &generator))
            let scale = Double.random(in: -8...16, using: &generator)
            values.append((Double.random(in: -1...1, using: &generator) * pow(10, scale) * pow(10, decimals)).rounded() / pow(10, decimals))
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
        }
        for value in values {
            var buffer: [UInt8] = []
            JSONLineWriter.appendValue(.double(value), to: &buffer)
            let expected = value.isFinite ? value.description : "null"
            #expect(String(decoding: buffer, as: UTF8.self) == expected, "\(value)")
        }
    }

    @Test func escapesEveryControlCharacter() {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) } + [0x7F], as: UTF8.self)
        var buffer: [UInt8] = []
        JSONLineWriter.appendQuoted(controls, to: &buffer)
        let expected = #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"#
            + "\u{7F}\""
        #expect(String(decoding: buffer, as: UTF8.self) == expected)
        var fromBytes: [UInt8] = []
        Array(controls.utf8).withUnsafeBytes { JSONLineWriter.appendQuoted($0, to: &fromBytes) }
        #expect(fromBytes == buffer)
    }

    @Test("a byte that needs escaping is escaped wherever it sits, in the 8-byte steps and in the tail")
    func escapesAtEveryPosition() throws {
        let specials: [String] = ["\"", "\\", "\u{0}", "\n", "\u{1F}", "\u{7F}", "é", "😀", " "]
        for length in 1...24 {
            for position in 0..<length {
                for special in specials {
                    let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position - 1)
                    var buffer: [UInt8] = []
                    JSONLineWriter.appendQuoted(text, to: &buffer)
                    let decoded = try JSONSerialization.jsonObject(with: Data(buffer), options: .fragmentsAllowed) as? String
                    #expect(decoded == text, "\(text.debugDescription) came back as \(String(decoding: buffer, as: UTF8.self))")
                    // Only quotes, backslashes and control bytes are escaped; everything else is copied.
                    let escapes = special == "\"" || special == "\\" || special == "\n" ? 1 : (special == "\u{0}" || special == "\u{1F}" ? 5 : 0)
                    #expect(buffer.count == text.utf8.count + 2 + escapes, "\(text.debugDescription)")
                }
            }
        }
    }

    @Test func writesNumbersAsValidJSON() {
        let cases: [(FieldValue, String)] = [
            (.int(0), "0"), (.int(.max), "9223372036854775807"), (.int(-7), "-7"),
            (.double(0.1), "0.1"), (.double(-0.0), "-0.0"), (.double(1e16), "1e+16"), (.double(1e-7), "1e-07"),
            (.double(0.1 + 0.2), "0.30000000000000004"), (.double(.leastNonzeroMagnitude), "5e-324"),
            (.double(.infinity), "null"), (.double(.nan), "null"), (.bool(true), "true"),
        ]
        let one = Schema(fields: [SchemaField(name: "v", type: .json)])
        for (value, text) in cases {
            let line = written([value], schema: one)
            #expect(line == "{\"v\":\(text)}\n")
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        }
    }

    @Test func escapesKeysAndHonoursSliceOffsets() {
        let odd = Schema(fields: [SchemaField(name: "we\"ird\n", type: .int), SchemaField(name: "ü", type: .bool)])
        let row: [FieldValue] = [.int(1), .int(2), .int(3), .bool(true), .int(9)]
        var buffer: [UInt8] = []
        JSONLineWriter(schema: odd).append(row[2...], to: &buffer)
        JSONLineWriter(schema: Schema(fields: [])).append(row[0..<0], to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "{\"we\\\"ird\\n\":3,\"ü\":true}\n{}\n")
    }

    @Test func decodingWhatWasWrittenGivesTheSameRow() {
        let rows: [[FieldValue]] = [
            [.string("plain"), .int(0), .double(0.1), .bool(true), .timestamp(0), .json("[]"), .string("")],
            [.string("\"\\\u{0}\u{1F}\n😀 世界"), .int(.max), .double(-0.0), .bool(false), .timestamp(-1),
             .json(#"{"a":{"b":[null,true,"x\"y"]}}"#), .null],
            [.null, .int(.min), .double(1.7976931348623157e308), .null, .timestamp(TimestampFormat.supportedRange.lowerBound),
             .json("-1.5e-7"), .string("\u{10FFFF}")],
            [.string("x"), .int(-1), .double(.leastNonzeroMagnitude), .bool(true), .timestamp(TimestampFormat.supportedRange.upperBound),
             .json(#""s""#), .string("/")],
            [.string("y"), .int(42), .double(3.0), .bool(false), .timestamp(1_714_557_600_123_456), .null, .null],
            [.string("z"), .int(1), .double(123456789.125e10), .bool(true), .timestamp(-62_000_000_000_001_000),
             .json("0"), .string("\u{7F}")],
        ]
        let writer = JSONLineWriter(schema: schema)
        for row in rows {
            var buffer: [UInt8] = []
            writer.append(row[...], to: &buffer)
            #expect(decodeValues(buffer, schema) == row, "\(String(decoding: buffer, as: UTF8.self))")
        }
    }
}
