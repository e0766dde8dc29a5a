/// An expression parsed and type-checked once, evaluated per row by a tree of closures.
public struct CompiledExpression: Sendable {
    /// The static type of the value `evaluate` returns (which may also be `.null`).
    public let type: ExpressionType
    /// Column indexes of the layout the expression reads (for planning which metadata columns to fill).
    public let referencedColumns: Set<Int>
    private let evaluator: ExpressionEvaluator

    init(_ node: ExpressionCompiledNode) {
        type = node.type
        referencedColumns = node.columns
        evaluator = node.evaluate
    }

    /// The expression's value for `row`, whose values follow the layout it was compiled against.
    public func evaluate(
        _ row: ArraySlice<FieldValue>, _ context: ExpressionContext
    ) throws(ExpressionRuntimeError) -> FieldValue {
        try row.withUnsafeBufferPointer { values throws(ExpressionRuntimeError) in try evaluator(values, context) }
    }

    /// The expression's value for the row at `values`, laid out as it was compiled against.
    public func evaluate(
        _ values: UnsafeBufferPointer<FieldValue>, _ context: ExpressionContext
    ) throws(ExpressionRuntimeError) -> FieldValue {
        try evaluator(values, context)
    }
}
