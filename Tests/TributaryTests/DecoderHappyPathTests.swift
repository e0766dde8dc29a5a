@testable import Tributary
import Testing

@Suite struct DecoderHappyPathTests {
    @Test func everyTypeDecodes() {
        let schema = Schema(fields: [
            SchemaField(name: "s", type: .string), SchemaField(name: "i", type: .int),
            SchemaField(name: "d", type: .double), SchemaField(name: "b", type: .bool),
            SchemaField(name: "t", type: .timestamp), SchemaField(name: "j", type: .json),
            SchemaField(name: "missing", type: .string), SchemaField(name: "nul", type: .int),
        ])
        let line = #"{"s":"hello","i":-42,"d":2.5,"b":true,"t":"2024-05-01T10:00:00Z","#
            + #""j":{ "a" : [1, 2, {"b": null}] , "c":"x y" },"nul":null}"#
        #expect(decodeValues(line, schema) == [
            .string("hello"), .int(-42), .double(2.5), .bool(true), .timestamp(1_714_557_600_000_000),
            .json(#"{"a":[1,2,{"b":null}],"c":"x y"}"#), .null, .null,
        ])
    }

    @Test("keys of every length from 1 to 20 bytes are told apart, also from keys one byte off at any position")
    func keysOfEveryLength() {
        let names = (1...20).map { length in String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) }) }
        let schema = Schema(fields: names.map { SchemaField(name: $0, type: .int) })
        // Near misses first, so a comparison that stops early would take one of them.
        var members: [String] = []
        for (index, name) in names.enumerated() {
            for position in 0..<name.count {
                var bytes = Array(name.utf8)
                bytes[position] = UInt8(ascii: "Z")
                members.append("\"\(String(decoding: bytes, as: UTF8.self))\":-1")
            }
            members.append("\"\(name)\":\(index)")
        }
        let line = "{" + members.joined(separator: ",") + "}"
        #expect(decodeValues(line, schema) == (0..<20).map { FieldValue.int(Int64($0)) })
    }

    @Test("a key in the schema's order is matched in place, with the same result and errors as any other key")
    func keysInSchemaOrder() throws {
        let schema = Schema(fields: [
            SchemaField(name: "id", type: .int), SchemaField(name: "q\"k", type: .int),
            SchemaField(name: "name", type: .string), SchemaField(name: "", type: .int),
            SchemaField(name: "città", type: .int),
        ])
        let members = [#""id":1"#, #""q\"k":2"#, #""name":"x""#, #""":4"#, #""città":5"#]
        let expected: [FieldValue] = [.int(1), .int(2), .string("x"), .int(4), .int(5)]
        // In order (matched in place where the name allows it) and reversed (every key looked up).
        #expect(decodeValues("{" + members.joined(separator: ",") + "}", schema) == expected)
        #expect(decodeValues("{" + members.reversed().joined(separator: ",") + "}", schema) == expected)
        // A key that starts with the expected name is another key.
        #expect(decodeValues(#"{"idx":9,"id":1,"namex":"y","name":"x"}"#, schema) == [.int(1), .null, .string("x"), .null, .null])
        // The expected key written with an escape is the same key.
        #expect(decodeValues(#"{"i\u0064":1}"#, schema) == [.int(1), .null, .null, .null, .null])
        // A repeat of a key matched in place is found.
        #expect(decodeFailure(#"{"id":1,"id":2}"#, schema)?.reason == #"duplicate key "id" at byte 8 (each key may appear only once in an object)"#)
        // Input that ends inside or right after the expected key fails as it did.
        #expect(decodeFailure(#"{"id"#, schema)?.reason == "invalid JSON at byte 4: unexpected end of input")
        #expect(decodeFailure(#"{"id""#, schema)?.reason == "invalid JSON at byte 5: unexpected end of input")
        #expect(decodeFailure("{\"id\u{1}\":1}", schema)?.reason.hasPrefix("invalid JSON at byte 4:") == true)
    }

    @Test("the expected key is matched in place however few bytes follow it in the record")
    func expectedKeyNearTheRecordsEnd() {
        // A key is compared in one or two 8-byte words when that many bytes are left in the
        // record, else byte by byte: records of one member put every key length on both sides.
        for length in 1...18 {
            let name = String(repeating: "k", count: length - 1) + "z"
            let schema = Schema(fields: [SchemaField(name: name, type: .int)])
            #expect(decodeValues("{\"\(name)\":7}", schema) == [.int(7)], "key of \(length) bytes")
            #expect(decodeValues("{\"\(name)x\":7}", schema) == [.null], "key of \(length) bytes and one more")
            #expect(decodeValues("{\"\(name.dropLast())\":7}", schema) == [.null], "key of \(length) bytes but the last")
            #expect(decodeFailure("{\"\(name)", schema)?.reason == "invalid JSON at byte \(length + 2): unexpected end of input")
        }
    }

    @Test("a string's first escape, control, non-ASCII or invalid byte is found at any offset in its 8-byte words")
    func firstSpecialByteAtEveryOffset() {
        // The scan looks at 8 bytes at a time and stops at the first that needs attention: each
        // kind of byte at each offset of the first two words and beyond must be the one found.
        let schema = Schema(fields: [SchemaField(name: "s", type: .string)])
        let prefix = #"{"s":""#
        for offset in 0..<20 {
            let head = String(repeating: "a", count: offset)
            #expect(decodeValues(prefix + head + #"bbb"}"#, schema)?.map(\.materialized) == [.string(head + "bbb")])
            #expect(decodeValues(prefix + head + #"\"bbb"}"#, schema) == [.string(head + "\"bbb")], "escape at \(offset)")
            #expect(decodeValues(prefix + head + #"ébbb"}"#, schema)?.map(\.materialized) == [.string(head + "ébbb")], "é at \(offset)")
            let at = prefix.utf8.count + offset
            let control = Array((prefix + head).utf8) + [0x01] + Array(#"bbb"}"#.utf8)
            #expect(decodeFailure(control, schema)?.reason.hasPrefix("invalid JSON at byte \(at): unescaped control character") == true, "control at \(offset)")
            let invalid = Array((prefix + head).utf8) + [0xFF] + Array(#"bbb"}"#.utf8)
            #expect(decodeFailure(invalid, schema)?.reason == "invalid UTF-8 at byte \(at)", "0xFF at \(offset)")
        }
    }

    @Test("a schema with no fields decodes a valid record to no values")
    func emptySchemaDecodesToNoValues() {
        #expect(decodeValues(#"{"a":1,"b":[true]}"#, Schema(fields: [])) == [])
    }

    @Test func nestedPathsWalkObjects() {
        let schema = Schema(fields: [
            SchemaField(name: "uid", type: .int, path: ["payload", "user", "id"]),
            SchemaField(name: "uname", type: .string, path: ["payload", "user", "name"]),
            SchemaField(name: "payload", type: .json),
            SchemaField(name: "zip", type: .string, path: ["payload", "user", "zip"]),
            SchemaField(name: "through_number", type: .int, path: ["payload", "n", "x"]),
            SchemaField(name: "same_path", type: .json, path: ["payload", "user"]),
        ])
        let line = #"{"other":{"user":{"id":1}},"payload":{"n":5,"user":{"name":"Ann","id":7}}}"#
        #expect(decodeValues(line, schema) == [
            .int(7), .string("Ann"), .json(#"{"n":5,"user":{"name":"Ann","id":7}}"#), .null, .null,
            .json(#"{"name":"Ann","id":7}"#),
        ])
    }

    @Test func emptyPathSelectsTheWholeRecord() {
        let schema = Schema(fields: [SchemaField(name: "all", type: .json, path: []), SchemaField(name: "a", type: .int)])
        #expect(decodeValues(" { \"a\" : 1 , \"b\" : [ ] } ", schema) == [.json(#"{"a":1,"b":[]}"#), .int(1)])
    }

    @Test func catchAllCollectsUnmappedTopLevelKeys() {
        let schema = Schema(
            fields: [
                SchemaField(name: "id", type: .int),
                SchemaField(name: "extra", type: .json),
                SchemaField(name: "uid", type: .int, path: ["payload", "user", "id"]),
            ],
            catchAllField: 1)
        let line = #"{"id":2,"y":{ "z": [1, 2] },"payload":{"user":{"id":3},"k":0},"x":"last","extra":true}"#
        #expect(decodeValues(line, schema) == [.int(2), .json(#"{"y":{"z":[1,2]},"x":"last","extra":true}"#), .int(3)])
        #expect(decodeValues(#"{"id":1,"payload":{}}"#, schema) == [.int(1), .null, .null])
        #expect(decodeValues(#"{"\u0078":1,"y":2,"q\"":3}"#, schema) == [.null, .json(#"{"\u0078":1,"y":2,"q\"":3}"#), .null])
    }

    @Test func catchAllKeepsManyKeysInOrder() {
        let schema = Schema(fields: [SchemaField(name: "rest", type: .json)], catchAllField: 0)
        let members = (0..<50).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(decodeValues("{\(members)}", schema) == [.json("{\(members)}")])
    }

    @Test func byteOrderMarkAndWhitespaceEverywhere() {
        let schema = Schema(fields: [SchemaField(name: "a", type: .int), SchemaField(name: "b", type: .json)])
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(" \t\r\n { \"a\" \n : \t 1 \r , \"b\" : [ 1 , { } , [ ] ] } \r\n".utf8)
        #expect(decodeValues(bytes, schema) == [.int(1), .json("[1,{},[]]")])
    }

    @Test func escapesAreDecoded() {
        #expect(valueOf(#""a\"b\\c\/d\b\f\n\r\t""#, as: .string) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(valueOf(#""caf\u00e9 \u00E9 \u4e16 \u0000""#, as: .string) == .string("café é 世 \u{0}"))
        #expect(valueOf(#""\ud83d\ude00""#, as: .string) == .string("😀"))
        #expect(valueOf(#""x\uD83D\uDE00y\uDBFF\uDFFF""#, as: .string) == .string("x😀y\u{10FFFF}"))
        #expect(valueOf(#""héllo 世界 😀""#, as: .string) == .string("héllo 世界 😀"))
        #expect(valueOf(#""""#, as: .string) == .string(""))
        #expect(valueOf(#"" \"quoted\" ""#, as: .json) == .json(#"" \"quoted\" ""#))
        #expect(valueOf(#"[ "a b", "c\" ]" ]"#, as: .json) == .json(#"["a b","c\" ]"]"#))
    }

    @Test func keysAreMatchedAfterUnescaping() {
        let schema = Schema(fields: [
            SchemaField(name: "name", type: .string), SchemaField(name: "città", type: .int),
            SchemaField(name: "q\"k", type: .bool),
        ])
        #expect(decodeValues(#"{"na\u006De":"x","citt\u00e0":3,"q\"k":false}"#, schema) == [
            .string("x"), .int(3), .bool(false),
        ])
        #expect(decodeValues(#"{"città":4}"#, schema) == [.null, .int(4), .null])
    }

    @Test func duplicatesOfKeysNoFieldReadsAreAccepted() {
        let schema = Schema(fields: [
            SchemaField(name: "a", type: .int), SchemaField(name: "nb", type: .int, path: ["n", "b"]),
        ])
        #expect(decodeValues(#"{"a":1,"x":1,"x":2,"n":{"b":5,"c":1,"c":2},"y":{"z":1,"z":2}}"#, schema) == [.int(1), .int(5)])
        #expect(decodeValues(#"{"a":1,"list":[{"a":1},{"a":2}]}"#, schema) == [.int(1), .null])
    }

    @Test func manyFieldsUseHashedLookup() {
        let names = (0..<20).map { "field_\($0)" }
        let schema = Schema(fields: names.map { SchemaField(name: $0, type: .int) })
        let members = names.indices.reversed().map { "\"\(names[$0])\":\($0)" } + ["\"unknown\":1"]
        #expect(decodeValues("{\(members.joined(separator: ","))}", schema) == names.indices.map { .int(Int64($0)) })
    }

    @Test func integersAcceptIntegralNumbers() {
        #expect(valueOf("0", as: .int) == .int(0))
        #expect(valueOf("-0", as: .int) == .int(0))
        #expect(valueOf("1e3", as: .int) == .int(1000))
        #expect(valueOf("2.0", as: .int) == .int(2))
        #expect(valueOf("1.5e1", as: .int) == .int(15))
        #expect(valueOf("100e-2", as: .int) == .int(1))
        #expect(valueOf("0.000e99999999999999999999", as: .int) == .int(0))
        #expect(valueOf("9223372036854775807", as: .int) == .int(.max))
        #expect(valueOf("-9223372036854775808", as: .int) == .int(.min))
        #expect(valueOf("9.223372036854775807E18", as: .int) == .int(.max))
    }

    @Test func doublesAreCorrectlyRounded() {
        let texts = [
            "0", "-0.0", "1", "0.1", "2.5", "-1e-7", "1e22", "1e23", "0.30000000000000004", "1.7976931348623157e308",
            "2.2250738585072014E-308", "5e-324", "4.9e-324", "123456789012345678901234567890", "9007199254740993",
            "3.14159265358979323846264338327950288", "1e-400", "0.000001234567890123e10", "-12345.678e-3",
        ]
        for text in texts {
            #expect(valueOf(text, as: .double) == .double(Double(text)!), "\(text)")
        }
        if case .double(let zero) = valueOf("-0", as: .double) { #expect(zero.sign == .minus) }
    }

    @Test func timestampsFromStringsAndEpochMillis() {
        #expect(valueOf("1714557600123", as: .timestamp) == .timestamp(1_714_557_600_123_000))
        #expect(valueOf("-1", as: .timestamp) == .timestamp(-1000))
        #expect(valueOf("1.7e3", as: .timestamp) == .timestamp(1_700_000))
        #expect(valueOf(#""2024-05-01T12:00:00.123+02:00""#, as: .timestamp) == .timestamp(1_714_557_600_123_000))
        #expect(valueOf(#""2024-05-01T10:00:00\u005a""#, as: .timestamp) == .timestamp(1_714_557_600_000_000))
        #expect(valueOf(#""1960-01-01""#, as: .timestamp) == .timestamp(-315_619_200_000_000))
    }

    @Test func booleansAndRequiredFields() {
        #expect(valueOf("false", as: .bool) == .bool(false))
        let schema = Schema(fields: [
            SchemaField(name: "a", type: .bool, required: true),
            SchemaField(name: "b", type: .string, required: true, path: ["x", "y"]),
        ])
        #expect(decodeValues(#"{"x":{"y":""},"a":true}"#, schema) == [.bool(true), .string("")])
    }

    @Test func rowsAccumulateAcrossRecords() {
        let decoder = RecordDecoder(schema: single(.int))
        var row: [FieldValue] = []
        for line in [#"{"a":1}"#, #"{"a":2}"#, #"{"a":"x"}"#, #"{"a":3}"#] {
            _ = Array(line.utf8).withUnsafeBytes { decoder.decode($0, into: &row) }
        }
        #expect(row == [.int(1), .int(2), .int(3)])
        #expect(decoder.decode([UInt8](#"{"a":4}"#.utf8), into: &row) == nil)
        #expect(row.last == .int(4))
    }
}
