@testable import Tributary
import Testing

@Suite struct NumberFunctionTests {
    @Test(arguments: [
        ("round(2.5)", FieldValue.double(3)),
        ("round(-2.5)", .double(-3)),
        ("round(2.4)", .double(2)),
        ("round(7)", .int(7)),
        ("round(3.14159, 2)", .double(3.14)),
        ("round(1234.5, -2)", .double(1200)),
        ("round(1250, -2)", .int(1300)),
        ("round(-1250, -2)", .int(-1300)),
        ("round(1249, -2)", .int(1200)),
        ("round(15, 1)", .int(15)),
        ("round(5, -19)", .int(0)),
        ("round(1.5, 400)", .double(1.5)),
        ("floor(2.7)", .double(2)),
        ("floor(-2.1)", .double(-3)),
        ("floor(4)", .int(4)),
        ("ceil(2.1)", .double(3)),
        ("ceil(-2.7)", .double(-2)),
        ("ceil(4)", .int(4)),
        ("abs(-3)", .int(3)),
        ("abs(-3.5)", .double(3.5)),
        ("abs(3)", .int(3)),
    ])
    func happyPaths(source: String, expected: FieldValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func nullsTypesAndErrors() throws {
        #expect(try evaluate("round(x)") == .null)
        #expect(try evaluate("round(x, i)", ["x": .double(1.55)]) == .null)
        #expect(try evaluate("abs(i)") == .null)
        #expect(try staticType("floor(i)") == .value(.int))
        #expect(try staticType("ceil(x)") == .value(.double))
        #expect(try runtimeError("abs(i)", ["i": .int(.min)]) == "integer overflow in 'abs(i)'")
        #expect(try runtimeError("round(i, -1)", ["i": .int(.max)]) == "integer overflow in 'round(i, -1)'")
        #expect(compileError("round('1')")?.message
                == "argument 1 of round(x: int|double[, digits: int]) must be int or double, got string")
        #expect(compileError("round(1.5, 1.5)")?.message
                == "argument 2 of round(x: int|double[, digits: int]) must be int, got double")
        #expect(compileError("ceil('a')")?.message == "argument 1 of ceil(x: int|double) must be int or double, got string")
        #expect(compileError("abs()")?.message == "abs(x: int|double) takes 1 argument, got 0")
        #expect(compileError("floor(ok)")?.message == "argument 1 of floor(x: int|double) must be int or double, got bool")
    }
}
