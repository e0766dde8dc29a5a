/// The per-row code of one compiled node: reads the row (values laid out like the layout) and the context.
/// The row is a buffer pointer, not an array slice, so evaluating costs no reference counting of the row.
typealias ExpressionEvaluator =
    @Sendable (UnsafeBufferPointer<FieldValue>, ExpressionContext) throws(ExpressionRuntimeError) -> FieldValue

/// A type-checked node: its static type, its evaluator and what it depends on.
struct ExpressionCompiledNode: Sendable {
    var type: ExpressionType
    var evaluate: ExpressionEvaluator {
        // A node given other code no longer just reads its column.
        didSet { column = nil }
    }
    /// Layout columns read by this node and its children.
    var columns: Set<Int> = []
    /// False when the value depends on the row or the context (fields, metadata, `now()`).
    var isPure = true
    /// The value, when it is known at compile time (`.some(.null)` for a constant null).
    var constant: FieldValue?
    /// The row position, when the node only reads one column as it is; a parent may then read
    /// the column itself rather than call this node.
    var column: Int?

    init(type: ExpressionType, columns: Set<Int> = [], isPure: Bool = true, evaluate: @escaping ExpressionEvaluator) {
        self.type = type
        self.columns = columns
        self.isPure = isPure
        self.evaluate = evaluate
    }

    /// A node that always gives `value`.
    static func constant(_ value: FieldValue, type: ExpressionType) -> ExpressionCompiledNode {
        var node = ExpressionCompiledNode(type: type) { _, _ in value }
        node.constant = value
        return node
    }

    /// A node over `children`: it reads what they read and is pure when they all are.
    init(type: ExpressionType, over children: [ExpressionCompiledNode], evaluate: @escaping ExpressionEvaluator) {
        self.init(type: type, evaluate: evaluate)
        for child in children {
            columns.formUnion(child.columns)
            isPure = isPure && child.isPure
        }
    }

    /// The same node evaluated once now when it does not depend on the row; a node whose evaluation fails
    /// is left as it is, so that the error surfaces (or not) at run time.
    func folded() -> ExpressionCompiledNode {
        guard isPure, constant == nil else { return self }
        do throws(ExpressionRuntimeError) {
            let value = try evaluate(UnsafeBufferPointer(start: nil, count: 0), ExpressionContext(batchTimeMicros: 0))
            return .constant(value, type: type)
        } catch {
            return self
        }
    }
}
