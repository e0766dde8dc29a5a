@testable import Tributary
import Testing

@Suite struct NestingTests {
    static let tooDeep = "expression is nested too deeply (more than 64 levels)"

    @Test func sixtyFourParenthesesAreFine() throws {
        let source = String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64)
        #expect(try evaluate(source) == .int(1))
    }

    @Test func sixtyFiveParenthesesAreAnError() {
        let source = String(repeating: "(", count: 65) + "1" + String(repeating: ")", count: 65)
        let error = compileError(source)
        #expect(error?.message == Self.tooDeep)
        #expect(error?.column == 65)
        #expect(error?.token == "(")
    }

    @Test func hugeInputsFailCleanly() {
        let parentheses = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        #expect(compileError(parentheses)?.message == Self.tooDeep)
        #expect(compileError(String(repeating: "not ", count: 10_000) + "true")?.message == Self.tooDeep)
        #expect(compileError(String(repeating: "-", count: 10_000) + "x")?.message == Self.tooDeep)
        #expect(compileError(String(repeating: "lower(", count: 10_000) + "'a'" + String(repeating: ")", count: 10_000))?
                .message == Self.tooDeep)
        #expect(compileError("i in " + String(repeating: "[", count: 1000))?.message
                == "unexpected '[', expected an operand")
    }

    @Test func longOperatorChainsAreBounded() throws {
        let sixtyFour = (0..<65).map { _ in "1" }.joined(separator: " + ")
        #expect(try evaluate(sixtyFour) == .int(65))
        let sixtyFive = (0..<66).map { _ in "1" }.joined(separator: " + ")
        #expect(compileError(sixtyFive)?.message == Self.tooDeep)
        // `and` / `or` chains are flat, so long lists of conditions stay possible.
        let conditions = (0..<500).map { "i != \($0)" }.joined(separator: " and ")
        #expect(try evaluate(conditions, ["i": .int(1000)]) == .bool(true))
        #expect(try evaluate(conditions, ["i": .int(7)]) == .bool(false))
    }

    @Test func nestedFunctionsWithinTheLimit() throws {
        let source = String(repeating: "lower(", count: 60) + "'A'" + String(repeating: ")", count: 60)
        #expect(try evaluate(source) == .string("a"))
    }
}
