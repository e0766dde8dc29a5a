@testable import Tributary
import Testing

@Suite struct LogicTests {
    /// (a, b, a and b, a or b) over true, false and null.
    static let truthTable: [(FieldValue, FieldValue, FieldValue, FieldValue)] = [
        (.bool(true), .bool(true), .bool(true), .bool(true)),
        (.bool(true), .bool(false), .bool(false), .bool(true)),
        (.bool(true), .null, .null, .bool(true)),
        (.bool(false), .bool(true), .bool(false), .bool(true)),
        (.bool(false), .bool(false), .bool(false), .bool(false)),
        (.bool(false), .null, .bool(false), .null),
        (.null, .bool(true), .null, .bool(true)),
        (.null, .bool(false), .bool(false), .null),
        (.null, .null, .null, .null),
    ]

    @Test(arguments: truthTable)
    func threeValuedLogicOnFields(a: FieldValue, b: FieldValue, and: FieldValue, or: FieldValue) throws {
        let values = ["a": a, "b": b]
        #expect(try evaluate("a and b", values) == and)
        #expect(try evaluate("a or b", values) == or)
        // The n-ary path (three operands) agrees with the two-operand one.
        #expect(try evaluate("a and b and true", values) == and)
        #expect(try evaluate("a or b or false", values) == or)
    }

    @Test(arguments: truthTable)
    func threeValuedLogicOnLiterals(a: FieldValue, b: FieldValue, and: FieldValue, or: FieldValue) throws {
        func literal(_ value: FieldValue) -> String {
            value == .null ? "null" : (value == .bool(true) ? "true" : "false")
        }
        #expect(try evaluate("\(literal(a)) and \(literal(b))") == and)
        #expect(try evaluate("\(literal(a)) or \(literal(b))") == or)
    }

    @Test func notIsThreeValued() throws {
        #expect(try evaluate("not a", ["a": .bool(true)]) == .bool(false))
        #expect(try evaluate("not a", ["a": .bool(false)]) == .bool(true))
        #expect(try evaluate("not a", ["a": .null]) == .null)
    }

    @Test func shortCircuitSkipsFailingOperands() throws {
        #expect(try evaluate("false and 1 / i = 1", ["i": .int(0)]) == .bool(false))
        #expect(try evaluate("true or 1 / i = 1", ["i": .int(0)]) == .bool(true))
        #expect(try runtimeError("true and 1 / i = 1", ["i": .int(0)]) == "division by zero in '1 / i'")
    }

    @Test func nullPropagation() throws {
        #expect(try evaluate("i + 1", [:]) == .null)
        #expect(try evaluate("i * x", ["x": .double(2)]) == .null)
        #expect(try evaluate("-i") == .null)
        #expect(try evaluate("i > 1") == .null)
        #expect(try evaluate("page = 'a'") == .null)
        #expect(try evaluate("page || 'a'") == .null)
        #expect(try evaluate("page + 'a'") == .null)
        #expect(try evaluate("lower(page)") == .null)
        #expect(try evaluate("substring('abc', i)") == .null)
        #expect(try evaluate("null = null") == .null)
        #expect(try evaluate("null + 1") == .null)
        #expect(try evaluate("1 / null") == .null)
        #expect(try evaluate("i = null", ["i": .int(1)]) == .null)
    }

    @Test func isNull() throws {
        #expect(try evaluate("page is null") == .bool(true))
        #expect(try evaluate("page is not null") == .bool(false))
        #expect(try evaluate("page is null", ["page": .string("")]) == .bool(false))
        #expect(try evaluate("page is not null", ["page": .string("")]) == .bool(true))
        #expect(try evaluate("null is null") == .bool(true))
        #expect(try evaluate("i + 1 is null") == .bool(true))
        #expect(try evaluate("not page is null", ["page": .string("p")]) == .bool(true))
    }

    @Test func inAndNotIn() throws {
        #expect(try evaluate("page in ['a', 'b']", ["page": .string("b")]) == .bool(true))
        #expect(try evaluate("page in ['a', 'b']", ["page": .string("c")]) == .bool(false))
        #expect(try evaluate("page not in ['a', 'b']", ["page": .string("c")]) == .bool(true))
        #expect(try evaluate("page not in ['a', 'b']", ["page": .string("a")]) == .bool(false))
        #expect(try evaluate("page in []", ["page": .string("a")]) == .bool(false))
        #expect(try evaluate("i in [1, 2.5, -3]", ["i": .int(-3)]) == .bool(true))
        #expect(try evaluate("x in [1, 2]", ["x": .double(2)]) == .bool(true))
        #expect(try evaluate("x in [1, 2]", ["x": .double(2.5)]) == .bool(false))
        #expect(try evaluate("i in [1 + 1, 10 / 5]", ["i": .int(2)]) == .bool(true))
    }

    @Test func inWithNulls() throws {
        // SQL: a null operand gives null; a list with null gives null instead of false when nothing matches.
        #expect(try evaluate("page in ['a']") == .null)
        #expect(try evaluate("page not in ['a']") == .null)
        #expect(try evaluate("page in ['a', null]", ["page": .string("a")]) == .bool(true))
        #expect(try evaluate("page in ['a', null]", ["page": .string("b")]) == .null)
        #expect(try evaluate("page not in ['a', null]", ["page": .string("a")]) == .bool(false))
        #expect(try evaluate("page not in ['a', null]", ["page": .string("b")]) == .null)
        #expect(try evaluate("null in [1]") == .null)
    }

    @Test func ifAndCoalesce() throws {
        #expect(try evaluate("if(a, 'yes', 'no')", ["a": .bool(true)]) == .string("yes"))
        #expect(try evaluate("if(a, 'yes', 'no')", ["a": .bool(false)]) == .string("no"))
        #expect(try evaluate("if(a, 'yes', 'no')", [:]) == .string("no"))
        #expect(try evaluate("if(a, null, 'no')", ["a": .bool(true)]) == .null)
        #expect(try evaluate("if(a, i, x)", ["a": .bool(true), "i": .int(2)]) == .double(2))
        // Only the chosen branch runs.
        #expect(try evaluate("if(i = 0, 0, 10 / i)", ["i": .int(0)]) == .int(0))
        #expect(try evaluate("coalesce(page, s, 'none')", ["s": .string("s")]) == .string("s"))
        #expect(try evaluate("coalesce(page, s, 'none')", [:]) == .string("none"))
        #expect(try evaluate("coalesce(page)", [:]) == .null)
        #expect(try evaluate("coalesce(i, x)", ["i": .int(3)]) == .double(3))
        #expect(try evaluate("coalesce(null, null)") == .null)
    }

    @Test("a double column compared with a number constant gives what the general comparison gives, for every operator, at and around the constant, for null and NaN, and for constants a double cannot hold exactly")
    func doubleColumnAgainstConstant() throws {
        let constants: [(text: String, value: FieldValue)] = [
            ("10", .int(10)), ("-2.5", .double(-2.5)), ("9007199254740993", .int(9_007_199_254_740_993)),
        ]
        let values: [FieldValue] = [
            .double(9.999), .double(10), .double(10.001), .double(-2.5), .double(-3), .double(.nan), .null,
            .double(9_007_199_254_740_992), .double(9_007_199_254_740_994),
        ]
        for op in ["=", "!=", "<", "<=", ">", ">="] {
            for constant in constants {
                for value in values {
                    let result = try evaluate("x \(op) \(constant.text)", ["x": value])
                    let general = try evaluate("(x + 0.0) \(op) \(constant.text)", ["x": value])
                    #expect(result == general, "x \(op) \(constant.text) with x = \(value)")
                }
            }
        }
        #expect(try evaluate("x >= 10", ["x": .double(10)]) == .bool(true))
        #expect(try evaluate("x < 10", ["x": .double(10)]) == .bool(false))
        #expect(try evaluate("x = 10", ["x": .null]) == .null)
        #expect(try evaluate("x > -2.5", ["x": .double(.nan)]) == .null)
    }
}
