extension ExpressionFunction {
    /// now, format_time, date_trunc, epoch_millis.
    static let timeFunctions: [ExpressionFunction] = [
        ExpressionFunction("now", []) { call in
            var node = call.node(.value(.timestamp)) { _, context in .timestamp(context.batchTimeMicros) }
            node.isPure = false
            return node
        },
        ExpressionFunction("format_time", [.init("ts", .timestamp), .init("format", .string)], build: formatTime),
        ExpressionFunction("date_trunc", [.init("unit", .string), .init("ts", .timestamp)], build: dateTrunc),
        ExpressionFunction("epoch_millis", [.init("ts", .timestamp)]) { call in
            call.strict(.int) { value in
                guard case .timestamp(let micros) = value else { return .null }
                return .int(ExpressionTimeUnit.split(micros, by: 1000).quotient)
            }
        },
    ]

    /// A constant format is parsed once here (a bad one is a compile error); others on every row.
    private static func formatTime(_ call: ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode {
        if case .string(let pattern)? = call.arguments[1].constant {
            let format: ExpressionTimeFormat
            do throws(ExpressionRuntimeError) {
                format = try ExpressionTimeFormat(pattern)
            } catch {
                throw call.failure(argument: 1, error.message)
            }
            return call.strict(.string) { value, _ in
                guard case .timestamp(let micros) = value else { return .null }
                return .string(format.format(micros))
            }
        }
        return call.strict(.string) { value, pattern throws(ExpressionRuntimeError) in
            guard case .timestamp(let micros) = value, case .string(let pattern) = pattern else { return .null }
            return .string(try ExpressionTimeFormat(pattern).format(micros))
        }
    }

    private static func dateTrunc(_ call: ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode {
        let name = try call.constantString(0, "the unit")
        guard let unit = ExpressionTimeUnit(rawValue: name.lowercased()) else {
            let units = ExpressionTimeUnit.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw call.failure(argument: 0, "unknown date_trunc unit '\(name)'; use one of \(units)")
        }
        return call.strict(.timestamp) { _, value in
            guard case .timestamp(let micros) = value else { return .null }
            return .timestamp(unit.truncate(micros))
        }
    }
}
