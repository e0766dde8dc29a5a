@testable import Tributary
import Foundation
import Testing

/// Lines for the differential test against Foundation's JSONSerialization: tricky valid and invalid JSON.
let differentialTextLines: [String] = [
    #"{"a":1}"#, "{}", #" { "a" : [ 1 , 2 , 3 ] , "b" : { "c" : null } } "#,
    #"{"s":"\"\\\/\b\f\n\r\t"}"#, #"{"e":"\u00e9\u4e16\ud83d\ude00\uD83D\uDE00"}"#, #"{"u":"héllo 世界 😀"}"#,
    #"{"big":9223372036854775807,"neg":-9223372036854775808}"#, #"{"huge":123456789012345678901234567890}"#,
    #"{"exp":1e10,"e2":1E-5,"e3":-2.5e+3,"e4":0e0}"#, #"{"f":0.1,"g":-0.0,"h":0,"i":-0}"#,
    #"{"t":true,"f":false,"n":null}"#, #"{"nested":{"a":{"b":{"c":[{"d":[[[]]]}]}}}}"#,
    #"{"dup":1,"dup":2}"#, #"{"dup":{"x":1},"other":0,"dup":[2]}"#, #"{"":""}"#,
    #"{"a b":" c ","\u0041":"A"}"#, #"{"ws":"\t","z":"\u0000"}"#,
    #"{"arr":[1,"two",{"three":3},[4],null,true,false,-5.5e-5]}"#,
    #"{"max":1.7976931348623157e308,"min":5e-324,"pi":3.141592653589793238462643383279}"#,
    "\t{\"a\":\r\n1}\n", #"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}"#,
    #"{"esc_key\n":1,"k\"q":2}"#, #"{"num":12.0,"neg":-1,"k":"\u20AC"}"#,
    #"{"neg_big":-9223372036854775809,"pos_big":18446744073709551616}"#,
    #"{"a":1,}"#, "{'a':1}", #"{"a":01}"#, #"{"a":"\ud800"}"#, "{\"a\":\"x\ty\"}", #"{"a":NaN}"#,
    #"{"a":1 /*c*/}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":+1}"#, "{a:1}", #"{"a" 1}"#, #"{"a":1}x"#,
    #"{"a":[1,2}"#, #"{"a":"#, "[1,2]", #""string""#, #"{"a":tru}"#, #"{"a":"\x"}"#, #"{"a":1}{"b":2}"#,
    #"{"a":Infinity}"#, #"{"a":-}"#, #"{"a":1e}"#, #"{"a":[1,,2]}"#, "", #"{"a":"\udc00"}"#,
    #"{"a":"\ud800\u0041"}"#, #"{"a":1e400}"#, #"{"a":[1,]}"#, #"{"a":[1]]}"#, "{\"a\":1}\u{0}",
]

/// The corpus as bytes, including lines that are not valid UTF-8.
let differentialCorpus: [[UInt8]] = differentialTextLines.map { Array($0.utf8) } + differentialByteLines

/// `text` as UTF-8 followed by raw bytes.
func utf8(_ text: String, then tail: [UInt8] = []) -> [UInt8] {
    Array(text.utf8) + tail
}

/// Corpus lines that need raw bytes.
let differentialByteLines: [[UInt8]] = [
    [0xEF, 0xBB, 0xBF] + utf8(#"{"bom":1}"#),
    utf8(#"{"a":""#, then: [0xC0, 0xAF, 0x22, 0x7D]),
    utf8(#"{"a":""#, then: [0xED, 0xA0, 0x80, 0x22, 0x7D]),
    utf8(#"{"a":""#, then: [0xF4, 0x90, 0x80, 0x80, 0x22, 0x7D]),
    utf8(#"{"a":"x"#, then: [0xFF, 0x22, 0x7D]),
]

/// Lines where Foundation and this decoder legitimately disagree, and this decoder's documented behaviour.
let documentedDisagreements: [String: DecodeFailure?] = [
    // Foundation accepts a trailing comma in objects and arrays; RFC 8259 forbids it, so this decoder rejects it.
    #"{"a":1,}"#: DecodeFailure(stage: .decode, reason: "invalid JSON at byte 6: trailing comma in object"),
    #"{"a":[1,]}"#: DecodeFailure(stage: .decode, reason: "invalid JSON at byte 7: trailing comma in array"),
    // Foundation rejects numbers beyond Double's range; RFC 8259's grammar allows them, so this decoder
    // accepts the line (a json field keeps the text, a double field reports "out of range").
    #"{"a":1e400}"#: nil,
    // Foundation keeps the last of duplicate keys; this decoder rejects a key it reads given twice,
    // since which value was meant is ambiguous.
    #"{"dup":1,"dup":2}"#: DecodeFailure(stage: .decode, reason: #"duplicate key "dup" at byte 9 (each key may appear only once in an object)"#),
    #"{"dup":{"x":1},"other":0,"dup":[2]}"#: DecodeFailure(stage: .decode, reason: #"duplicate key "dup" at byte 25 (each key may appear only once in an object)"#),
]

@Suite struct DifferentialTests {
    @Test(arguments: differentialCorpus.indices)
    func agreesWithJSONSerialization(_ index: Int) throws {
        let bytes = differentialCorpus[index]
        let line = String(decoding: bytes, as: UTF8.self)
        let reference = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        let keys = reference.map { Array($0.keys).sorted() } ?? []
        let schema = Schema(fields: keys.map { SchemaField(name: $0, type: .json) })
        let ours = decodeResult(bytes, schema)
        if let documented = documentedDisagreements[line] {
            #expect((reference != nil) != (documented == nil), "Foundation and we now agree on \(line)")
            switch ours {
            case .success: #expect(documented == nil)
            case .failure(let failure): #expect(failure == documented)
            }
            return
        }
        guard let reference else {
            if case .success(let values) = ours { Issue.record("Foundation rejects \(line.debugDescription), we decoded \(values)") }
            return
        }
        guard case .success(let values) = ours else {
            Issue.record("Foundation accepts \(line.debugDescription), we failed: \(ours)")
            return
        }
        for (key, value) in zip(keys, values) {
            try expectSameValue(value, reference[key]!, key: key, line: line)
        }
    }

    /// Checks that our json text for `key` parses to Foundation's value, and that strings and ints match exactly.
    private func expectSameValue(_ value: FieldValue, _ expected: Any, key: String, line: String) throws {
        if value == .null {
            // JSON null decodes to .null for every field type.
            #expect(expected is NSNull, "\(key) in \(line.debugDescription)")
            return
        }
        guard case .json(let text) = value else {
            Issue.record("\(key): expected a json value, got \(value)")
            return
        }
        let reparsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
        #expect(jsonEqual(reparsed, expected), "\(key) in \(line.debugDescription): \(text)")
        let field = [SchemaField(name: key, type: .string)]
        if let string = expected as? String {
            #expect(decodeValues(Array(line.utf8), Schema(fields: field)) == [.string(string)])
        }
        if let number = expected as? NSNumber, !text.contains(where: { ".eE".contains($0) }),
            let exact = Int64(text) {
            let intField = [SchemaField(name: key, type: .int)]
            #expect(number.int64Value == exact)
            #expect(decodeValues(Array(line.utf8), Schema(fields: intField)) == [.int(exact)])
        }
    }

    @Test func documentedDisagreementsBehaveAsDocumented() {
        #expect(reasonFor("1e400", as: .double) == "field a: expected double, got 1e400 (out of range)")
        #expect(valueOf("1e400", as: .json) == .json("1e400"))
    }
}

/// Structural equality of JSONSerialization results.
func jsonEqual(_ lhs: Any, _ rhs: Any) -> Bool {
    switch (lhs, rhs) {
    case let (left as [String: Any], right as [String: Any]):
        return left.count == right.count
            && left.allSatisfy { key, value in right[key].map { jsonEqual(value, $0) } ?? false }
    case let (left as [Any], right as [Any]):
        return left.count == right.count && zip(left, right).allSatisfy { jsonEqual($0, $1) }
    case let (left as String, right as String):
        return left == right
    case (is NSNull, is NSNull):
        return true
    case let (left as NSNumber, right as NSNumber):
        return left == right
    default:
        return false
    }
}
