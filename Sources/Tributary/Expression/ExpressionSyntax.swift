/// One node of a parsed expression, before type checking.
struct ExpressionSyntax: Sendable {
    /// What the node is.
    indirect enum Kind: Sendable {
        /// A constant; `.null` for the literal null.
        case literal(FieldValue)
        /// A column, optionally followed by object keys into its JSON value.
        case field(name: String, path: [String])
        /// A function call; `name` is lowercased.
        case call(name: String, arguments: [ExpressionSyntax])
        /// Unary minus.
        case negate(ExpressionSyntax)
        case not(ExpressionSyntax)
        case binary(ExpressionBinaryOperator, ExpressionSyntax, ExpressionSyntax)
        /// A chain of two or more operands joined by the same `and` or `or`.
        case logical(isAnd: Bool, [ExpressionSyntax])
        case isNull(ExpressionSyntax, negated: Bool)
        case inList(ExpressionSyntax, [ExpressionSyntax], negated: Bool)
    }

    var kind: Kind
    /// The token errors about this node point at: the operator, the name or the literal.
    var token: ExpressionToken
    /// The source range `[start, end)` in characters, for messages quoting the expression.
    var start: Int
    var end: Int
    /// The longest chain of nodes below and including this one (leaves have 0).
    var depth: Int
}

/// The two-operand operators besides `and` and `or`.
enum ExpressionBinaryOperator: Sendable, Equatable {
    case add, subtract, multiply, divide, modulo, concatenate
    case equal, notEqual, less, lessEqual, greater, greaterEqual

    init?(_ symbol: ExpressionSymbol) {
        switch symbol {
        case .plus: self = .add
        case .minus: self = .subtract
        case .times: self = .multiply
        case .divide: self = .divide
        case .modulo: self = .modulo
        case .concatenate: self = .concatenate
        case .equal, .doubleEqual: self = .equal
        case .notEqual, .lessGreater: self = .notEqual
        case .less: self = .less
        case .lessEqual: self = .lessEqual
        case .greater: self = .greater
        case .greaterEqual: self = .greaterEqual
        default: return nil
        }
    }

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: true
        default: false
        }
    }

    /// Whether a three-way comparison result (`-1`, `0` or `1`) satisfies this comparison.
    @inline(__always)
    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessEqual: order <= 0
        case .greater: order > 0
        case .greaterEqual: order >= 0
        default: false
        }
    }
}
