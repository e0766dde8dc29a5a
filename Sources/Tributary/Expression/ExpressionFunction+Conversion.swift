extension ExpressionFunction {
    /// string, int, double, bool, to_timestamp, coalesce, if.
    static let conversionFunctions: [ExpressionFunction] = [
        ExpressionFunction("string", [.init("x")]) { call in
            call.strict(.string) { value in .string(ExpressionConversion.text(value)) }
        },
        ExpressionFunction("int", [.init("x", .string, .int, .double, .bool, .json)]) { call in
            call.strict(.int) { value throws(ExpressionRuntimeError) in try ExpressionConversion.integer(value) }
        },
        ExpressionFunction("double", [.init("x", .string, .int, .double, .bool, .json)]) { call in
            call.strict(.double) { value throws(ExpressionRuntimeError) in try ExpressionConversion.double(value) }
        },
        ExpressionFunction("bool", [.init("x", .string, .int, .bool, .json)]) { call in
            call.strict(.bool) { value throws(ExpressionRuntimeError) in try ExpressionConversion.bool(value) }
        },
        ExpressionFunction("to_timestamp", [.init("x", .string, .int, .timestamp, .json)]) { call in
            call.strict(.timestamp) { value throws(ExpressionRuntimeError) in
                try ExpressionConversion.timestamp(value)
            }
        },
        ExpressionFunction("coalesce", [.init("value")], variadic: true, build: coalesce),
        ExpressionFunction("if", [.init("condition", .bool), .init("then"), .init("else")], build: conditional),
    ]

    /// The arguments converted to their common type, or an error at the first that does not fit.
    private static func unified(
        _ call: ExpressionCall, from first: Int
    ) throws(ExpressionError) -> (ExpressionType, [ExpressionCompiledNode]) {
        let candidates = Array(call.arguments[first...])
        let (type, conflict) = ExpressionBuilder.unify(candidates.map(\.type))
        if let conflict {
            throw call.failure(argument: first + conflict, "\(call.function.name)() arguments must have compatible "
                               + "types, got \(type) and \(candidates[conflict].type)")
        }
        return (type, candidates.map { ExpressionBuilder.coerce($0, to: type) })
    }

    /// The first non-null argument.
    private static func coalesce(_ call: ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode {
        let (type, arguments) = try unified(call, from: 0)
        let evaluators = arguments.map(\.evaluate)
        return call.node(type) { row, context throws(ExpressionRuntimeError) in
            for evaluate in evaluators {
                let value = try evaluate(row, context)
                if value != .null { return value }
            }
            return .null
        }
    }

    /// `then` when the condition is true, else (false or null) `else`; only the chosen branch is evaluated.
    private static func conditional(_ call: ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode {
        let (type, branches) = try unified(call, from: 1)
        let condition = call.arguments[0].evaluate
        let then = branches[0].evaluate
        let otherwise = branches[1].evaluate
        return call.node(type) { row, context throws(ExpressionRuntimeError) in
            if case .bool(true) = try condition(row, context) { return try then(row, context) }
            return try otherwise(row, context)
        }
    }
}
