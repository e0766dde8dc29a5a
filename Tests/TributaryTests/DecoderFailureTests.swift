@testable import Tributary
import Testing

/// A malformed input and the exact decode-stage reason it must produce.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    var bytes: [UInt8]
    var reason: String
    var testDescription: String { reason }

    init(_ text: String, _ reason: String) {
        self.bytes = Array(text.utf8)
        self.reason = reason
    }

    init(bytes: [UInt8], _ reason: String) {
        self.bytes = bytes
        self.reason = reason
    }
}

private func at(_ offset: Int, _ detail: String) -> String {
    "invalid JSON at byte \(offset): \(detail)"
}

let malformedCases: [MalformedCase] = [
    MalformedCase("", "not a JSON object (got an empty record)"),
    MalformedCase(" \n\t", "not a JSON object (got only whitespace)"),
    MalformedCase(bytes: [0xEF, 0xBB, 0xBF, 0x20], "not a JSON object (got only whitespace)"),
    MalformedCase(#"{"a"#, at(3, "unexpected end of input")),
    MalformedCase(#"{"a":1"#, at(6, "unexpected end of input")),
    MalformedCase(#"{"a":"abc"#, at(9, "unexpected end of input")),
    MalformedCase(#"{"a":"\u12"#, at(10, "unexpected end of input")),
    MalformedCase(#"{"a":nul"#, at(8, "unexpected end of input")),
    MalformedCase(#"{"a":[1,{"b":"#, at(13, "unexpected end of input")),
    MalformedCase("[1,2]", "not a JSON object (got array)"),
    MalformedCase(#" "str" "#, "not a JSON object (got string)"),
    MalformedCase("-4.5e1", "not a JSON object (got number)"),
    MalformedCase("true", "not a JSON object (got true)"),
    MalformedCase("false", "not a JSON object (got false)"),
    MalformedCase("null\n", "not a JSON object (got null)"),
    MalformedCase(#"{"a":1} x"#, "trailing characters after the JSON value at byte 8"),
    MalformedCase(#"{"a":1}{"b":2}"#, "trailing characters after the JSON value at byte 7"),
    MalformedCase(#"{"a":1}}"#, "trailing characters after the JSON value at byte 7"),
    MalformedCase("[1] 2", "trailing characters after the JSON value at byte 4"),
    MalformedCase("{'a':1}", at(1, "single quotes are not allowed (strings and keys need double quotes)")),
    MalformedCase(#"{"a":'x'}"#, at(5, "single quotes are not allowed (strings and keys need double quotes)")),
    MalformedCase(#"{"a":1 /* c */}"#, at(7, "comments are not allowed")),
    MalformedCase("// c\n{\"a\":1}", at(0, "comments are not allowed")),
    MalformedCase(#"{"a":[1,/*x*/2]}"#, at(8, "comments are not allowed")),
    MalformedCase(#"{"a":NaN}"#, at(5, "NaN is not allowed")),
    MalformedCase(#"{"a":Infinity}"#, at(5, "Infinity is not allowed")),
    MalformedCase(#"{"a":-Infinity}"#, at(5, "Infinity is not allowed")),
    MalformedCase(#"{"a":01}"#, at(5, "leading zeros are not allowed in numbers")),
    MalformedCase(#"{"a":-007}"#, at(6, "leading zeros are not allowed in numbers")),
    MalformedCase(#"{"a":+1}"#, at(5, "numbers must not start with '+'")),
    MalformedCase(#"{"a":.5}"#, at(5, "numbers must start with a digit, not '.'")),
    MalformedCase(#"{"a":1.}"#, at(7, "expected a digit after the decimal point")),
    MalformedCase(#"{"a":1.e5}"#, at(7, "expected a digit after the decimal point")),
    MalformedCase(#"{"a":1e}"#, at(7, "expected a digit in the exponent")),
    MalformedCase(#"{"a":1E+}"#, at(8, "expected a digit in the exponent")),
    MalformedCase(#"{"a":-}"#, at(6, "expected a digit after '-'")),
    MalformedCase(#"{"a":0x1F}"#, at(6, "expected ',' or '}' after an object member")),
    MalformedCase(#"{"a":1,}"#, at(6, "trailing comma in object")),
    MalformedCase(#"{"a":[1,2,]}"#, at(9, "trailing comma in array")),
    MalformedCase(#"{"a":{"b":1,}}"#, at(11, "trailing comma in object")),
    MalformedCase(#"{"a" 1}"#, at(5, "expected ':' after an object key")),
    MalformedCase(#"{"a":1 "b":2}"#, at(7, "expected ',' or '}' after an object member")),
    MalformedCase(#"{"a":[1 2]}"#, at(8, "expected ',' or ']' after an array element")),
    MalformedCase(#"{"a":[{"b":1]}"#, at(12, "expected ',' or '}' after an object member")),
    MalformedCase("{a:1}", at(1, "expected a double-quoted object key, found 'a'")),
    MalformedCase("{,}", at(1, "expected a double-quoted object key, found ','")),
    MalformedCase(#"{"a":}"#, at(5, "expected a value, found '}'")),
    MalformedCase(#"{"a":[,1]}"#, at(6, "expected a value, found ','")),
    MalformedCase(#"{"a":tru}"#, at(5, "invalid literal (expected true, false or null)")),
    MalformedCase(#"{"a":True}"#, at(5, "expected a value, found 'T'")),
    MalformedCase(#"{"a":é}"#, at(5, "expected a value, found byte 0xC3")),
    MalformedCase("{\"a\":\"x\ty\"}", at(7, "unescaped control character 0x09 in string")),
    MalformedCase("{\"a\":\"x\ny\"}", at(7, "unescaped control character 0x0A in string")),
    MalformedCase("{\"a\u{0}\":1}", at(3, "unescaped control character 0x00 in string")),
    MalformedCase(#"{"a":"\x"}"#, at(6, "invalid escape sequence (backslash followed by 'x')")),
    MalformedCase(#"{"a":"\'"}"#, at(6, "invalid escape sequence (backslash followed by ''')")),
    MalformedCase(#"{"a":"\u12G4"}"#, at(6, "invalid \\u escape (expected 4 hex digits)")),
    MalformedCase(#"{"a":"\ud800"}"#, at(6, "unpaired UTF-16 surrogate in \\u escape")),
    MalformedCase(#"{"a":"\udc00\ud800"}"#, at(6, "unpaired UTF-16 surrogate in \\u escape")),
    MalformedCase(#"{"a":"\ud800\u0041"}"#, at(6, "unpaired UTF-16 surrogate in \\u escape")),
    MalformedCase(#"{"a":"\ud800\n"}"#, at(6, "unpaired UTF-16 surrogate in \\u escape")),
    MalformedCase(#"{"a":"\ud800\uzzzz"}"#, at(12, "invalid \\u escape (expected 4 hex digits)")),
    MalformedCase(bytes: Array(#"{"a":""#.utf8) + [0xC0, 0xAF, 0x22, 0x7D], "invalid UTF-8 at byte 6"),
    MalformedCase(bytes: Array(#"{"a":"x"#.utf8) + [0xE0, 0x80, 0xAF, 0x22, 0x7D], "invalid UTF-8 at byte 7"),
    MalformedCase(bytes: Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80, 0x22, 0x7D], "invalid UTF-8 at byte 6"),
    MalformedCase(bytes: Array(#"{"a":""#.utf8) + [0xF4, 0x90, 0x80, 0x80, 0x22, 0x7D], "invalid UTF-8 at byte 6"),
    MalformedCase(bytes: Array(#"{"a":""#.utf8) + [0xF5, 0x80, 0x80, 0x80, 0x22, 0x7D], "invalid UTF-8 at byte 6"),
    MalformedCase(bytes: Array(#"{"a":"ab"#.utf8) + [0x80, 0x22, 0x7D], "invalid UTF-8 at byte 8"),
    MalformedCase(bytes: Array(#"{"a":""#.utf8) + [0xE2, 0x82, 0x22, 0x7D], "invalid UTF-8 at byte 6"),
    MalformedCase(bytes: Array(#"{"a":"12345678"#.utf8) + [0xFF, 0x22, 0x7D], "invalid UTF-8 at byte 14"),
    MalformedCase(bytes: Array(#"{""#.utf8) + [0xC1, 0xBF] + Array(#"":1}"#.utf8), "invalid UTF-8 at byte 2"),
    MalformedCase(bytes: Array(#"{"a":""#.utf8) + [0xF0, 0x9F, 0x98], "invalid UTF-8 at byte 6"),
    MalformedCase(bytes: [0xEF, 0xBB] + Array("{}".utf8), at(0, "expected a value, found byte 0xEF")),
    MalformedCase(bytes: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("{}".utf8), at(3, "expected a value, found byte 0xEF")),
    MalformedCase(
        #"{"a":"# + String(repeating: "[", count: 10_000)
            + String(repeating: "]", count: 10_000) + "}",
        at(516, "nesting deeper than 512 levels")),
    MalformedCase(String(repeating: #"{"a":"#, count: 10_000), at(2560, "nesting deeper than 512 levels")),
    MalformedCase(String(repeating: "[", count: 10_000), at(512, "nesting deeper than 512 levels")),
]

@Suite struct DecoderFailureTests {
    @Test(arguments: malformedCases)
    func malformedInputIsRejectedPrecisely(_ input: MalformedCase) {
        let schema = Schema(fields: [SchemaField(name: "a", type: .json), SchemaField(name: "b", type: .json)])
        let failure = decodeFailure(input.bytes, schema)
        #expect(failure?.stage == .decode)
        #expect(failure?.reason == input.reason)
        #expect(failure?.description == input.reason)
    }

    @Test func malformedInputIsRejectedWhateverTheSchema() {
        let schemas = [
            Schema(fields: []),
            Schema(fields: [SchemaField(name: "rest", type: .json)], catchAllField: 0),
            Schema(fields: [SchemaField(name: "x", type: .int, path: ["a", "b", "c"])]),
        ]
        for schema in schemas {
            for input in malformedCases {
                #expect(decodeFailure(input.bytes, schema)?.reason == input.reason)
            }
        }
    }

    @Test func depthLimitAlsoAppliesAlongSchemaPaths() {
        let deepPath = Array(repeating: "a", count: 600)
        let schema = Schema(fields: [SchemaField(name: "deep", type: .int, path: deepPath)])
        let line = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(decodeFailure(line, schema)?.reason == at(2560, "nesting deeper than 512 levels"))
        let shallow = String(repeating: #"{"a":"#, count: 3) + "1" + String(repeating: "}", count: 3)
        let schema3 = Schema(fields: [SchemaField(name: "deep", type: .int, path: ["a", "a", "a"])])
        #expect(decodeValues(shallow, schema3) == [.int(1)])
    }

    @Test func customDepthLimit() {
        #expect(decodeResult(Array(#"{"a":[[1]]}"#.utf8), single(.json), maxDepth: 3) == .success([.json("[[1]]")]))
        #expect(decodeFailure(#"{"a":[[[1]]]}"#, single(.json), maxDepth: 3)?.reason
            == at(7, "nesting deeper than 3 levels"))
        #expect(decodeFailure(#"{"a":{}}"#, single(.json), maxDepth: 1)?.reason == at(5, "nesting deeper than 1 levels"))
    }

    @Test func requiredFieldsMustBePresentAndNotNull() {
        let schema = Schema(fields: [
            SchemaField(name: "id", type: .string),
            SchemaField(name: "uid", type: .int, required: true, path: ["user", "id"]),
        ])
        let missing = decodeFailure(#"{"id":"x","user":{"name":"a"}}"#, schema)
        #expect(missing == DecodeFailure(stage: .schema, reason: "field uid: required field is missing"))
        #expect(decodeFailure(#"{"id":"x","user":5}"#, schema)?.reason == "field uid: required field is missing")
        #expect(decodeFailure(#"{"user":{"id":null}}"#, schema)?.reason == "field uid: required field is null")
        #expect(reasonFor("null", as: .json, required: true) == "field a: required field is null")
        let catchAll = Schema(
            fields: [SchemaField(name: "id", type: .int), SchemaField(name: "rest", type: .json, required: true)],
            catchAllField: 1)
        #expect(decodeFailure(#"{"id":1}"#, catchAll)?.reason == "field rest: required field is missing")
        #expect(decodeValues(#"{"id":1,"x":null}"#, catchAll) == [.int(1), .json(#"{"x":null}"#)])
    }

    @Test func typeMismatchesNameTheRawValue() {
        #expect(reasonFor("42", as: .string) == "field a: expected string, got 42")
        #expect(reasonFor("true", as: .string) == "field a: expected string, got true")
        #expect(reasonFor("1.5", as: .int) == "field a: expected int, got 1.5")
        #expect(reasonFor("1e-400", as: .int) == "field a: expected int, got 1e-400")
        #expect(reasonFor(#""42""#, as: .int) == #"field a: expected int, got "42""#)
        #expect(reasonFor("9223372036854775808", as: .int)
            == "field a: expected int, got 9223372036854775808 (out of 64-bit range)")
        #expect(reasonFor("-9223372036854775809", as: .int)
            == "field a: expected int, got -9223372036854775809 (out of 64-bit range)")
        #expect(reasonFor("1e19", as: .int) == "field a: expected int, got 1e19 (out of 64-bit range)")
        #expect(reasonFor("123456789012345678901234567890", as: .int)
            == "field a: expected int, got 123456789012345678901234567890 (out of 64-bit range)")
        #expect(reasonFor("1e400", as: .double) == "field a: expected double, got 1e400 (out of range)")
        #expect(reasonFor("-1e400", as: .double) == "field a: expected double, got -1e400 (out of range)")
        #expect(reasonFor(#""1.5""#, as: .double) == #"field a: expected double, got "1.5""#)
        #expect(reasonFor("1", as: .bool) == "field a: expected bool, got 1")
        #expect(reasonFor(#""true""#, as: .bool) == #"field a: expected bool, got "true""#)
        #expect(reasonFor("{ }", as: .bool) == "field a: expected bool, got { }")
    }

    @Test func timestampMismatches() {
        #expect(reasonFor(#""2024-13-01T00:00:00Z""#, as: .timestamp)
            == #"field a: expected timestamp, got "2024-13-01T00:00:00Z""#)
        #expect(reasonFor("true", as: .timestamp) == "field a: expected timestamp, got true")
        #expect(reasonFor("1.5", as: .timestamp) == "field a: expected timestamp, got 1.5")
        #expect(reasonFor("1e300", as: .timestamp) == "field a: expected timestamp, got 1e300 (out of range)")
        #expect(reasonFor("9999999999999999", as: .timestamp)
            == "field a: expected timestamp, got 9999999999999999 (out of range)")
        #expect(reasonFor("253402300800000", as: .timestamp)
            == "field a: expected timestamp, got 253402300800000 (out of range)")
        #expect(valueOf("253402300799999", as: .timestamp) == .timestamp(253_402_300_799_999_000))
    }

    @Test func longValuesAreTruncatedOnCharacterBoundaries() {
        let array = "[" + (1...30).map(String.init).joined(separator: ",") + "]"
        #expect(reasonFor(array, as: .int) == "field a: expected int, got [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,…")
        // 39 ASCII bytes then a 2-byte character straddling the 40-byte limit: the character is dropped whole.
        let text = "\"" + String(repeating: "x", count: 38) + "éé\""
        #expect(reasonFor(text, as: .int) == "field a: expected int, got \"" + String(repeating: "x", count: 38) + "…")
        let exact = "\"" + String(repeating: "y", count: 38) + "\""
        #expect(reasonFor(exact, as: .int) == "field a: expected int, got \(exact)")
    }

    @Test func laterFieldFailureRollsBackEarlierValues() {
        let schema = Schema(fields: [
            SchemaField(name: "a", type: .string), SchemaField(name: "b", type: .json, required: true),
            SchemaField(name: "c", type: .int),
        ])
        let failure = decodeFailure(#"{"a":"kept?","b":[1],"c":"no"}"#, schema)
        #expect(failure == DecodeFailure(stage: .schema, reason: #"field c: expected int, got "no""#))
    }

    @Test func aKeyTheSchemaReadsMustNotRepeat() {
        func duplicate(_ key: String, at offset: Int) -> DecodeFailure {
            DecodeFailure(stage: .decode, reason: "duplicate key \"\(key)\" at byte \(offset) (each key may appear only once in an object)")
        }
        #expect(decodeFailure(#"{"a":1,"a":2}"#, single(.int)) == duplicate("a", at: 7))
        #expect(decodeFailure(#"{"a":1,"\u0061":2}"#, single(.int)) == duplicate(#"\u0061"#, at: 7), "the key as written")
        #expect(decodeFailure(#"{"a":"x","a":"y"}"#, single(.int)) == duplicate("a", at: 9), "ahead of the type mismatch")
        #expect(decodeFailure(#"{"a":1,"a":2"#, single(.int)) == DecodeFailure(stage: .decode, reason: at(12, "unexpected end of input")),
                "broken JSON is reported as broken first")
        let nested = Schema(fields: [SchemaField(name: "nb", type: .int, path: ["n", "b"])])
        #expect(decodeFailure(#"{"n":{"b":1,"b":2}}"#, nested) == duplicate("b", at: 12))
        #expect(decodeFailure(#"{"n":{"b":1},"n":null}"#, nested) == duplicate("n", at: 13))
        let long = String(repeating: "k", count: 39) + "é" + "tail"
        #expect(decodeFailure("{\"\(long)\":1,\"\(long)\":2}", Schema(fields: [SchemaField(name: long, type: .int)]))
            == duplicate(String(repeating: "k", count: 39) + "…", at: long.utf8.count + 6), "a long key is cut on a character boundary")
    }

    @Test func withACatchAllNoTopLevelKeyMayRepeat() {
        let schema = Schema(fields: [SchemaField(name: "id", type: .int), SchemaField(name: "rest", type: .json)], catchAllField: 1)
        #expect(decodeFailure(#"{"x":1,"id":1,"x":2}"#, schema)?.reason == #"duplicate key "x" at byte 14 (each key may appear only once in an object)"#)
        #expect(decodeFailure(#"{"x":1,"\u0078":2}"#, schema)?.reason == #"duplicate key "\u0078" at byte 7 (each key may appear only once in an object)"#)
        // Past 32 members the check hashes the keys instead of comparing pairs.
        let members = (0..<40).map { "\"k\($0)\":\($0)" } + ["\"k7\":0"]
        let line = "{" + members.joined(separator: ",") + "}"
        let offset = line.utf8.count - 7
        #expect(decodeFailure(line, schema)?.reason == "duplicate key \"k7\" at byte \(offset) (each key may appear only once in an object)")
        // Nested objects are kept as they are.
        #expect(decodeValues(#"{"id":1,"o":{"z":1,"z":2}}"#, schema) == [.int(1), .json(#"{"o":{"z":1,"z":2}}"#)])
    }
}

