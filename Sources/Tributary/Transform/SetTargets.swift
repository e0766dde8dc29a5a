/// The columns a `set` (or cast) step stores, each with the expression that computes it, and
/// all the expressions composed into one evaluation.
///
/// Evaluating the expressions by looping over an array copies each one out of the array, which
/// retains and releases its compiled closures per row; with every core doing that on the same
/// closures, the cores fight over their reference counts. The composed evaluation captures each
/// expression directly, so a row costs no reference counting at all.
struct SetTargets: Sendable {
    /// Row positions written, in the order of `evaluate`'s values.
    let indexes: [Int]
    /// Row positions the expressions read.
    let referencedColumns: Set<Int>
    private let evaluateAll: Evaluation

    typealias Evaluation = @Sendable (UnsafeBufferPointer<FieldValue>, ExpressionContext, UnsafeMutablePointer<FieldValue>) throws(ExpressionRuntimeError) -> Void

    init(_ targets: [(index: Int, expression: CompiledExpression)]) {
        indexes = targets.map(\.index)
        referencedColumns = targets.reduce(into: []) { $0.formUnion($1.expression.referencedColumns) }
        evaluateAll = Self.compose(targets.map(\.expression)[...])
    }

    /// Initializes `values[0..<indexes.count]` with every expression's value for `row`, in
    /// order. On a failure nothing is left initialized.
    ///
    /// Uninitialized memory rather than an array: the step moves each value into the row, so
    /// a row costs no array bookkeeping and no copy (with its retain and release) per value.
    func evaluate(_ row: UnsafeBufferPointer<FieldValue>, _ context: ExpressionContext, into values: UnsafeMutablePointer<FieldValue>) throws(ExpressionRuntimeError) {
        try evaluateAll(row, context, values)
    }

    private static func compose(_ expressions: ArraySlice<CompiledExpression>) -> Evaluation {
        guard let first = expressions.first else { return { _, _, _ in } }
        let rest = compose(expressions.dropFirst())
        return { row, context, values throws(ExpressionRuntimeError) in
            values.initialize(to: try first.evaluate(row, context))
            do throws(ExpressionRuntimeError) {
                try rest(row, context, values + 1)
            } catch {
                values.deinitialize(count: 1)
                throw error
            }
        }
    }
}
