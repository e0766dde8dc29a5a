/// Run-time arithmetic with the errors the language defines: overflow and division by zero.
enum ExpressionArithmetic {
    /// `a op b` on integers; `text` is the expression quoted in errors.
    @inline(__always)
    static func integer(
        _ op: ExpressionBinaryOperator, _ a: Int64, _ b: Int64, _ text: String
    ) throws(ExpressionRuntimeError) -> Int64 {
        let (result, overflow): (Int64, Bool)
        switch op {
        case .add: (result, overflow) = a.addingReportingOverflow(b)
        case .subtract: (result, overflow) = a.subtractingReportingOverflow(b)
        case .multiply: (result, overflow) = a.multipliedReportingOverflow(by: b)
        case .divide:
            guard b != 0 else { throw divisionByZero(text) }
            (result, overflow) = a.dividedReportingOverflow(by: b)
        default:
            guard b != 0 else { throw divisionByZero(text) }
            // Int64.min % -1 overflows in hardware but is mathematically 0.
            (result, overflow) = (b == -1 ? 0 : a % b, false)
        }
        guard !overflow else { throw overflowError(text) }
        return result
    }

    /// `a op b` on doubles; division and remainder by zero are errors rather than infinities.
    @inline(__always)
    static func double(
        _ op: ExpressionBinaryOperator, _ a: Double, _ b: Double, _ text: String
    ) throws(ExpressionRuntimeError) -> Double {
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide:
            guard b != 0 else { throw divisionByZero(text) }
            return a / b
        default:
            guard b != 0 else { throw divisionByZero(text) }
            return a.truncatingRemainder(dividingBy: b)
        }
    }

    /// The value of an int or double as a double.
    @inline(__always)
    static func asDouble(_ value: FieldValue) -> Double? {
        switch value {
        case .double(let number): number
        case .int(let integer): Double(integer)
        default: nil
        }
    }

    static func divisionByZero(_ text: String) -> ExpressionRuntimeError {
        ExpressionRuntimeError(message: "division by zero in '\(text)'")
    }

    static func overflowError(_ text: String) -> ExpressionRuntimeError {
        ExpressionRuntimeError(message: "integer overflow in '\(text)'")
    }
}
