@testable import Tributary
import Testing

@Suite struct JSONPathTests {
    static let payload = FieldValue.json(#"{"user":{"id":42,"name":"Zoë \"Z\"","tags":["a","b"],"nil":null},"n":1.5}"#)

    @Test func dottedPaths() throws {
        let values = ["payload": Self.payload]
        #expect(try evaluate("payload.user.id", values) == .json("42"))
        #expect(try evaluate("payload.n", values) == .json("1.5"))
        #expect(try evaluate("payload.user.tags", values) == .json(#"["a","b"]"#))
        #expect(try evaluate("payload.user", values)
                == .json(#"{"id":42,"name":"Zoë \"Z\"","tags":["a","b"],"nil":null}"#))
        #expect(try evaluate("payload.user.name", values) == .json(#""Zoë \"Z\"""#))
        #expect(try evaluate("payload . user . `id`", values) == .json("42"))
    }

    @Test func missingValuesAreNull() throws {
        let values = ["payload": Self.payload]
        #expect(try evaluate("payload.user.email", values) == .null)
        #expect(try evaluate("payload.user.nil", values) == .null)
        #expect(try evaluate("payload.nope.deeper", values) == .null)
        // A step through an array (or a scalar) finds nothing: array elements are not addressable.
        #expect(try evaluate("payload.user.tags.first", values) == .null)
        #expect(try evaluate("json_get(payload, 'user.tags.0')", values) == .null)
        #expect(try evaluate("payload.user.id.x", values) == .null)
        #expect(try evaluate("payload.user.id") == .null)
        #expect(try evaluate("payload.a", ["payload": .json("[1,2]")]) == .null)
        #expect(try evaluate("payload.a", ["payload": .json("\"text\"")]) == .null)
    }

    @Test func whitespaceInTheSourceIsCompacted() throws {
        let values: [String: FieldValue] = ["payload": .json(#"{ "a" : { "b" : [ 1 , 2 ] } }"#)]
        #expect(try evaluate("payload.a", values) == .json(#"{"b":[1,2]}"#))
    }

    @Test func jsonGetAndJsonString() throws {
        let values = ["payload": Self.payload]
        #expect(try evaluate("json_get(payload, 'user.id')", values) == .json("42"))
        #expect(try evaluate("json_get(payload.user, 'id')", values) == .json("42"))
        #expect(try evaluate("json_string(payload.user.name)", values) == .string(#"Zoë "Z""#))
        #expect(try evaluate("json_string(payload.user.id)", values) == .string("42"))
        #expect(try evaluate("json_string(payload.user.tags)", values) == .string(#"["a","b"]"#))
        #expect(try evaluate("json_string(payload)", ["payload": .json(#""a\n\u00e9\ud83d\ude00""#)])
                == .string("a\né😀"))
        #expect(try evaluate("json_string(payload.user.email)", values) == .null)
        #expect(try evaluate("lower(json_string(payload.user.name)) = 'zoë \"z\"'", values) == .bool(true))
    }

    @Test func errors() {
        let dotted = compileError("page.user")
        #expect(dotted?.message == "field 'page' has type string; only json fields can be followed by '.key'")
        #expect(dotted?.column == 1)
        #expect(dotted?.token == "page")
        let index = compileError("payload.tags.0")
        #expect(index?.message == "unexpected '0', expected a key after '.' (array elements cannot be addressed)")
        #expect(index?.column == 14)
        #expect(compileError("payload.")?.message == "unexpected end of the expression, expected a key after '.'")
        #expect(compileError("json_get(payload, s)")?.message == "the path of json_get() must be a string literal")
        #expect(compileError("json_get(payload, 'a..b')")?.message == "json path 'a..b' has an empty key")
        #expect(compileError("json_get(page, 'a')")?.message
                == "argument 1 of json_get(j: json, path: string) must be json, got string")
        #expect(compileError("json_string(page)")?.message
                == "argument 1 of json_string(j: json) must be json, got string")
    }
}
