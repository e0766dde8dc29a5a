@testable import Tributary
import Testing

@Suite struct ConversionFunctionTests {
    @Test(arguments: [
        ("string(42)", FieldValue.string("42")),
        ("string(-1.5)", .string("-1.5")),
        ("string(2.0)", .string("2.0")),
        ("string(true)", .string("true")),
        ("string('s')", .string("s")),
        ("string(to_timestamp(1714557600123))", .string("2024-05-01T10:00:00.123Z")),
        ("int('42')", .int(42)),
        ("int('-9223372036854775808')", .int(.min)),
        ("int(3.99)", .int(3)),
        ("int(-3.99)", .int(-3)),
        ("int(true)", .int(1)),
        ("int(false)", .int(0)),
        ("int(7)", .int(7)),
        ("double('1.25')", .double(1.25)),
        ("double('1e3')", .double(1000)),
        ("double(3)", .double(3)),
        ("double(true)", .double(1)),
        ("bool('true')", .bool(true)),
        ("bool('FALSE')", .bool(false)),
        ("bool(1)", .bool(true)),
        ("bool(0)", .bool(false)),
        ("bool(false)", .bool(false)),
        ("to_timestamp('2024-05-01T12:00:00+02:00') = to_timestamp(1714557600000)", .bool(true)),
        ("epoch_millis(to_timestamp('2024-05-01T10:00:00.123456Z'))", .int(1_714_557_600_123)),
        ("epoch_millis(to_timestamp(-1))", .int(-1)),
    ])
    func happyPaths(source: String, expected: FieldValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func conversionsOfFields() throws {
        #expect(try evaluate("string(event_time)", ["event_time": .timestamp(1)]) == .string("1970-01-01T00:00:00.000001Z"))
        #expect(try evaluate("string(payload)", ["payload": .json("{\"a\":[1,2]}")]) == .string("{\"a\":[1,2]}"))
        #expect(try evaluate("int(payload.n)", ["payload": .json("{\"n\":12}")]) == .int(12))
        #expect(try evaluate("int(payload.n)", ["payload": .json("{\"n\":\"13\"}")]) == .int(13))
        #expect(try evaluate("double(payload.n)", ["payload": .json("{\"n\":1.5}")]) == .double(1.5))
        #expect(try evaluate("bool(payload.f)", ["payload": .json("{\"f\":true}")]) == .bool(true))
        #expect(try evaluate("to_timestamp(payload.t)", ["payload": .json("{\"t\":\"1970-01-01T00:00:01Z\"}")])
                == .timestamp(1_000_000))
        #expect(try evaluate("to_timestamp(payload.t)", ["payload": .json("{\"t\":1000}")]) == .timestamp(1_000_000))
        #expect(try evaluate("int(page)") == .null)
    }

    @Test func runtimeErrors() throws {
        #expect(try runtimeError("int(page)", ["page": .string("abc")]) == "cannot convert 'abc' to int")
        #expect(try runtimeError("int(page)", ["page": .string("1.5")]) == "cannot convert '1.5' to int")
        #expect(try runtimeError("int(page)", ["page": .string("9223372036854775808")])
                == "cannot convert '9223372036854775808' to int")
        #expect(try runtimeError("int(x)", ["x": .double(1e30)]) == "cannot convert 1e+30 to int")
        #expect(try runtimeError("double(page)", ["page": .string("nan")]) == "cannot convert 'nan' to double")
        #expect(try runtimeError("double(page)", ["page": .string("")]) == "cannot convert '' to double")
        #expect(try runtimeError("bool(page)", ["page": .string("yes")]) == "cannot convert 'yes' to bool")
        #expect(try runtimeError("bool(i)", ["i": .int(2)]) == "cannot convert 2 to bool")
        #expect(try runtimeError("to_timestamp(page)", ["page": .string("2024-13-01")])
                == "cannot convert '2024-13-01' to timestamp")
        #expect(try runtimeError("to_timestamp(i)", ["i": .int(.max)])
                == "cannot convert 9223372036854775807 to timestamp")
        let long = String(repeating: "x", count: 50)
        #expect(try runtimeError("int(page)", ["page": .string(long)])
                == "cannot convert '\(String(repeating: "x", count: 40))…' to int")
    }

    @Test func compileErrors() {
        #expect(compileError("int(event_time)")?.message
                == "argument 1 of int(x: string|int|double|bool|json) must be string, int, double, bool or json, got timestamp")
        #expect(compileError("bool(x)")?.message
                == "argument 1 of bool(x: string|int|bool|json) must be string, int, bool or json, got double")
        #expect(compileError("to_timestamp(x)")?.message
                == "argument 1 of to_timestamp(x: string|int|timestamp|json) must be string, int, timestamp or json, got double")
        #expect(compileError("double(event_time)")?.message
                == "argument 1 of double(x: string|int|double|bool|json) must be string, int, double, bool or json, got timestamp")
        #expect(compileError("string()")?.message == "string(x: any) takes 1 argument, got 0")
        #expect(compileError("coalesce(page, i)")?.message
                == "coalesce() arguments must have compatible types, got string and int")
        #expect(compileError("coalesce(page, i)")?.column == 16)
        #expect(compileError("if(i, 1, 2)")?.message
                == "argument 1 of if(condition: bool, then: any, else: any) must be bool, got int")
        #expect(compileError("if(a, 'x', 1)")?.message == "if() arguments must have compatible types, got string and int")
        #expect(compileError("if(a, 1)")?.message == "if(condition: bool, then: any, else: any) takes 3 arguments, got 2")
    }
}
