extension ExpressionFunction {
    /// round, floor, ceil, abs: ints stay ints, doubles stay doubles.
    static let numberFunctions: [ExpressionFunction] = [
        ExpressionFunction("round", [.init("x", .int, .double), .init("digits", .int)], optional: 1, build: round),
        ExpressionFunction("floor", [.init("x", .int, .double)]) { call in
            call.strict(resultType(call)) { value in
                guard case .double(let number) = value else { return value }
                return .double(number.rounded(.down))
            }
        },
        ExpressionFunction("ceil", [.init("x", .int, .double)]) { call in
            call.strict(resultType(call)) { value in
                guard case .double(let number) = value else { return value }
                return .double(number.rounded(.up))
            }
        },
        ExpressionFunction("abs", [.init("x", .int, .double)]) { call in
            let text = call.text
            return call.strict(resultType(call)) { value throws(ExpressionRuntimeError) in
                switch value {
                case .int(let number):
                    guard number != .min else { throw ExpressionArithmetic.overflowError(text) }
                    return .int(Swift.abs(number))
                case .double(let number): return .double(Swift.abs(number))
                default: return .null
                }
            }
        },
    ]

    /// The type of the first argument (double for a null literal).
    private static func resultType(_ call: ExpressionCall) -> FieldType {
        call.arguments[0].type == .value(.int) ? .int : .double
    }

    private static func round(_ call: ExpressionCall) -> ExpressionCompiledNode {
        let text = call.text
        let type = resultType(call)
        guard call.arguments.count == 2 else {
            return call.strict(type) { value in
                guard case .double(let number) = value else { return value }
                return .double(number.rounded(.toNearestOrAwayFromZero))
            }
        }
        return call.strict(type) { value, digits throws(ExpressionRuntimeError) in
            guard case .int(let digits) = digits else { return .null }
            switch value {
            case .int(let number):
                guard let rounded = ExpressionRounding.round(number, digits: digits) else {
                    throw ExpressionArithmetic.overflowError(text)
                }
                return .int(rounded)
            case .double(let number): return .double(ExpressionRounding.round(number, digits: digits))
            default: return .null
            }
        }
    }
}
