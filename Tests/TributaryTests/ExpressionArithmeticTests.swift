@testable import Tributary
import Testing

@Suite struct ArithmeticTests {
    @Test(arguments: [
        ("7 / 2", FieldValue.int(3)),
        ("-7 / 2", .int(-3)),
        ("7 % 3", .int(1)),
        ("-7 % 3", .int(-1)),
        ("7 % -3", .int(1)),
        ("-9223372036854775808 % -1", .int(0)),
        ("7.0 / 2", .double(3.5)),
        ("7 / 2.0", .double(3.5)),
        ("1 + 0.5", .double(1.5)),
        ("7.5 % 2", .double(1.5)),
        ("2 * 1.5 - 1", .double(2)),
        ("'a' + 'b'", .string("ab")),
        ("'a' || 'b' || 'c'", .string("abc")),
    ])
    func arithmetic(source: String, expected: FieldValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func integerOverflow() throws {
        let max: [String: FieldValue] = ["i": .int(.max), "j": .int(1)]
        #expect(try runtimeError("i + j", max) == "integer overflow in 'i + j'")
        #expect(try runtimeError("i * 2", max) == "integer overflow in 'i * 2'")
        #expect(try runtimeError("-i - 2", max) == "integer overflow in '-i - 2'")
        #expect(try runtimeError("-i", ["i": .int(.min)]) == "integer overflow in '-i'")
        #expect(try runtimeError("i / -1", ["i": .int(.min)]) == "integer overflow in 'i / -1'")
        #expect(try runtimeError("(i + j) * 2", max) == "integer overflow in '(i + j)'")
        #expect(try runtimeError("(i * 1) * 2", max) == "integer overflow in '(i * 1) * 2'")
        #expect(try runtimeError("i + j", ["i": .int(.max - 1), "j": .int(1)]) == nil)
    }

    @Test func constantOverflowIsReportedAtRunTime() throws {
        #expect(try runtimeError("9223372036854775807 + 1") == "integer overflow in '9223372036854775807 + 1'")
    }

    @Test func divisionByZero() throws {
        #expect(try runtimeError("i / j", ["i": .int(1), "j": .int(0)]) == "division by zero in 'i / j'")
        #expect(try runtimeError("i % j", ["i": .int(1), "j": .int(0)]) == "division by zero in 'i % j'")
        #expect(try runtimeError("x / 0", ["x": .double(1)]) == "division by zero in 'x / 0'")
        #expect(try runtimeError("x % 0.0", ["x": .double(1)]) == "division by zero in 'x % 0.0'")
        #expect(try runtimeError("1 / 0") == "division by zero in '1 / 0'")
        #expect(try runtimeError("i / j", ["j": .int(0)]) == nil)
    }

    @Test func numericComparison() throws {
        #expect(try evaluate("i = x", ["i": .int(2), "x": .double(2)]) == .bool(true))
        #expect(try evaluate("i < x", ["i": .int(2), "x": .double(2.5)]) == .bool(true))
        #expect(try evaluate("x > i", ["i": .int(2), "x": .double(2.5)]) == .bool(true))
        #expect(try evaluate("i > x", ["i": .int(-2), "x": .double(-2.5)]) == .bool(true))
        // 2^53 + 1 is not a double; comparing exactly keeps it above 2^53.
        #expect(try evaluate("9007199254740993 > 9007199254740992.0") == .bool(true))
        #expect(try evaluate("9223372036854775807 < 9223372036854775808.0") == .bool(true))
        #expect(try evaluate("-9223372036854775808 = -9223372036854775808.0") == .bool(true))
    }

    @Test func stringComparisonIsByteOrder() throws {
        #expect(try evaluate("'B' < 'a'") == .bool(true))
        #expect(try evaluate("'abc' < 'abd'") == .bool(true))
        #expect(try evaluate("'ab' < 'abc'") == .bool(true))
        #expect(try evaluate("'z' < 'é'") == .bool(true))
        #expect(try evaluate("'é' = 'e\u{301}'") == .bool(false))
        #expect(try evaluate("s >= t", ["s": .string("b"), "t": .string("b")]) == .bool(true))
        #expect(try evaluate("s != t", ["s": .string("b"), "t": .string("c")]) == .bool(true))
    }

    @Test func otherComparisons() throws {
        let earlier = micros("2024-01-01T00:00:00Z")
        #expect(try evaluate("event_time < now()", ["event_time": .timestamp(earlier)], now: earlier + 1) == .bool(true))
        #expect(try evaluate("a = b", ["a": .bool(true), "b": .bool(true)]) == .bool(true))
        #expect(try evaluate("a != b", ["a": .bool(true), "b": .bool(false)]) == .bool(true))
        #expect(try evaluate("payload = payload", ["payload": .json("{\"a\":1}")]) == .bool(true))
        #expect(try evaluate("payload.a != payload.b", ["payload": .json("{\"a\":1,\"b\":2}")]) == .bool(true))
    }
}
