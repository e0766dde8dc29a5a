@testable import Tributary
import Testing

@Suite struct ParsingTests {
    @Test(arguments: [
        ("1 + 2 * 3", FieldValue.int(7)),
        ("(1 + 2) * 3", .int(9)),
        ("10 - 3 - 2", .int(5)),
        ("100 / 10 / 5", .int(2)),
        ("2 * 3 % 4", .int(2)),
        ("17 / 5 * 5", .int(15)),
        ("-2 * 3", .int(-6)),
        ("2 - -3", .int(5)),
        ("-(2 + 3)", .int(-5)),
        ("- - 4", .int(4)),
        ("'a' || 'b' = 'ab'", .bool(true)),
        ("1 + 2 = 3 and 2 < 3", .bool(true)),
        ("not not true", .bool(true)),
        ("not 1 = 2", .bool(true)),
        ("true or false and false", .bool(true)),
        ("(true or false) and false", .bool(false)),
        ("-9223372036854775808", .int(.min)),
        ("9223372036854775807", .int(.max)),
        ("1.5e3", .double(1500)),
        ("2.5", .double(2.5)),
        ("1E-2", .double(0.01)),
        ("null", .null),
    ])
    func precedenceAndLiterals(source: String, expected: FieldValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func notBindsLooserThanComparison() throws {
        // Were it `(not i) = 1`, `not` on an int would not compile.
        #expect(try evaluate("not i = 1", ["i": .int(1)]) == .bool(false))
        #expect(try evaluate("not i = 1", ["i": .int(2)]) == .bool(true))
    }

    @Test func andBindsTighterThanOr() throws {
        let values: [String: FieldValue] = ["a": .bool(true), "b": .bool(false), "c": .bool(false)]
        #expect(try evaluate("a or b and c", values) == .bool(true))
        #expect(try evaluate("(a or b) and c", values) == .bool(false))
        #expect(try evaluate("c and b or a", values) == .bool(true))
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let values: [String: FieldValue] = ["page": .string("x"), "duration_ms": .int(5)]
        #expect(try evaluate("page IS NOT NULL AND duration_ms > 0 Or FALSE", values) == .bool(true))
        #expect(try evaluate("page Is Null", values) == .bool(false))
        #expect(try evaluate("duration_ms NOT IN [1, 2]", values) == .bool(true))
        #expect(try evaluate("NOT TRUE = False", values) == .bool(true))
        #expect(try evaluate("NULL", values) == .null)
        #expect(try evaluate("LOWER(Upper(page))", values) == .string("x"))
    }

    @Test(arguments: [
        (#"'it\'s'"#, "it's"),
        (#""say \"hi\"""#, #"say "hi""#),
        (#""it's""#, "it's"),
        (#"'a\tb\nc'"#, "a\tb\nc"),
        (#"'back\\slash'"#, #"back\slash"#),
        (#"'\d+'"#, #"\d+"#),
        ("'ünïcødé ✓'", "ünïcødé ✓"),
        ("''", ""),
    ])
    func stringLiterals(source: String, expected: String) throws {
        #expect(try evaluate(source) == .string(expected))
    }

    @Test func backquotedNames() throws {
        #expect(try evaluate("`weird name` || '!'", ["weird name": .string("w")]) == .string("w!"))
        #expect(try evaluate("`page`", ["page": .string("p")]) == .string("p"))
        let layout = ExpressionLayout(fields: [("and", .int)])
        #expect(try evaluate("`and` + 1", ["and": .int(1)], layout: layout) == .int(2))
    }

    @Test func whitespaceIsFree() throws {
        #expect(try evaluate("  1+2*3\t\n") == .int(7))
        #expect(try evaluate("lower ( 'A' )") == .string("a"))
    }

    @Test func comparisonOperatorsSpellings() throws {
        #expect(try evaluate("1 == 1 and 1 = 1 and 1 != 2 and 1 <> 2") == .bool(true))
        #expect(try evaluate("1 <= 1 and 1 >= 1 and 1 < 2 and 2 > 1") == .bool(true))
    }

    @Test func rowSliceOffsetIsRespected() throws {
        let compiled = try ExpressionCompiler.compile("i * 10 + j", layout: plainLayoutWithTwoInts, location: "t")
        let storage: [FieldValue] = [.int(1), .int(2), .int(3), .int(4), .int(5), .int(6)]
        #expect(try compiled.evaluate(storage[2..<4], ExpressionContext(batchTimeMicros: 0)) == .int(34))
        #expect(try compiled.evaluate(storage[4...], ExpressionContext(batchTimeMicros: 0)) == .int(56))
    }

    private var plainLayoutWithTwoInts: ExpressionLayout {
        ExpressionLayout(fields: [("i", .int), ("j", .int)])
    }

    @Test func referencedColumns() throws {
        let compiled = try ExpressionCompiler.compile("lower(page) = s or topic() = 'x' or 1 = 1",
                                                      layout: testLayout, location: "t")
        #expect(compiled.referencedColumns == [0, 12, 15])
        let constant = try ExpressionCompiler.compile("1 + 2", layout: testLayout, location: "t")
        #expect(constant.referencedColumns.isEmpty)
        #expect(constant.type == .value(.int))
    }

    @Test func staticTypes() throws {
        #expect(try staticType("null") == .null)
        #expect(try staticType("i + x") == .value(.double))
        #expect(try staticType("i + null") == .value(.int))
        #expect(try staticType("page || null") == .value(.string))
        #expect(try staticType("payload.user") == .value(.json))
        #expect(try staticType("i > 1") == .value(.bool))
        #expect(try staticType("coalesce(null, i, x)") == .value(.double))
        #expect(ExpressionType.value(.timestamp).description == "timestamp")
        #expect(ExpressionType.null.description == "null")
    }
}
