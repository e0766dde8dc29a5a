extension ExpressionFunction {
    /// lower, upper, trim, length, concat, substring, replace, starts_with, ends_with, contains, matches, split_part.
    static let stringFunctions: [ExpressionFunction] = [
        ExpressionFunction("lower", [.init("s", .string)]) { call in
            call.strict(.string) { value in
                guard case .string(let text) = value else { return .null }
                return .string(ExpressionText.lower(text))
            }
        },
        ExpressionFunction("upper", [.init("s", .string)]) { call in
            call.strict(.string) { value in
                guard case .string(let text) = value else { return .null }
                return .string(ExpressionText.upper(text))
            }
        },
        ExpressionFunction("trim", [.init("s", .string)]) { call in
            call.strict(.string) { value in
                guard case .string(let text) = value else { return .null }
                return .string(ExpressionText.trim(text))
            }
        },
        ExpressionFunction("length", [.init("s", .string)]) { call in
            call.strict(.int) { value in
                guard case .string(let text) = value else { return .null }
                return .int(Int64(text.count))
            }
        },
        ExpressionFunction("concat", [.init("value")], variadic: true, build: concat),
        ExpressionFunction("substring", [.init("s", .string), .init("start", .int), .init("length", .int)],
                           optional: 1, build: substring),
        ExpressionFunction("replace", [.init("s", .string), .init("from", .string), .init("to", .string)]) { call in
            call.strict(.string) { value, from, to in
                guard case .string(let text) = value, case .string(let from) = from, case .string(let to) = to,
                    !from.isEmpty
                else { return value }
                return .string(text.replacing(from, with: to))
            }
        },
        textTest("starts_with", "prefix") { $0.hasPrefix($1) },
        textTest("ends_with", "suffix") { $0.hasSuffix($1) },
        textTest("contains", "part") { $0.contains($1) },
        ExpressionFunction("matches", [.init("s", .string), .init("pattern", .string)], build: matches),
        ExpressionFunction("split_part", [.init("s", .string), .init("delimiter", .string), .init("n", .int)],
                           build: splitPart),
    ]

    /// A function of two strings giving a bool.
    private static func textTest(
        _ name: String, _ second: String, _ test: @escaping @Sendable (String, String) -> Bool
    ) -> ExpressionFunction {
        ExpressionFunction(name, [.init("s", .string), .init(second, .string)]) { call in
            call.strict(.bool) { a, b in
                guard case .string(let text) = a, case .string(let part) = b else { return .null }
                return .bool(test(text, part))
            }
        }
    }

    /// Every argument as text (null as ''), joined.
    private static func concat(_ call: ExpressionCall) -> ExpressionCompiledNode {
        let evaluators = call.arguments.map(\.evaluate)
        return call.node(.value(.string)) { row, context throws(ExpressionRuntimeError) in
            var result = ""
            for evaluate in evaluators { result += ExpressionConversion.text(try evaluate(row, context)) }
            return .string(result)
        }
    }

    private static func substring(_ call: ExpressionCall) -> ExpressionCompiledNode {
        guard call.arguments.count == 3 else {
            return call.strict(.string) { value, start in
                guard case .string(let text) = value, case .int(let start) = start else { return .null }
                return .string(ExpressionText.substring(text, start: start, length: nil))
            }
        }
        return call.strict(.string) { value, start, length in
            guard case .string(let text) = value, case .int(let start) = start, case .int(let length) = length
            else { return .null }
            return .string(ExpressionText.substring(text, start: start, length: length))
        }
    }

    /// True when the pattern (a literal, compiled once here) matches anywhere in the string.
    private static func matches(_ call: ExpressionCall) throws(ExpressionError) -> ExpressionCompiledNode {
        let pattern = try call.constantString(1, "the pattern")
        let regex: ExpressionRegex
        do {
            regex = try ExpressionRegex(pattern)
        } catch {
            throw call.failure(argument: 1, "invalid regular expression '\(pattern)'")
        }
        return call.strict(.bool) { value in
            guard case .string(let text) = value else { return .null }
            return .bool(regex.matches(text))
        }
    }

    private static func splitPart(_ call: ExpressionCall) -> ExpressionCompiledNode {
        let text = call.text
        return call.strict(.string) { value, delimiter, position throws(ExpressionRuntimeError) in
            guard case .string(let string) = value, case .string(let delimiter) = delimiter,
                case .int(let position) = position
            else { return .null }
            guard position != 0 else {
                throw ExpressionRuntimeError(message: "field position must not be zero in '\(text)'")
            }
            return .string(ExpressionText.splitPart(string, delimiter: delimiter, position: position))
        }
    }
}
