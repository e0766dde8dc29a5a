extension ExpressionFunction {
    /// origin(), topic(), ...: reads of the hidden metadata columns `@origin`, `@topic`, ... of the layout.
    static let metadataFunctions: [ExpressionFunction] = [
        ("origin", "@origin"), ("topic", "@topic"), ("partition", "@partition"), ("offset", "@offset"),
        ("key", "@key"), ("kafka_timestamp", "@timestamp"), ("file", "@file"), ("line", "@line"),
        ("byte_offset", "@byte_offset"),
    ].map { name, column in
        ExpressionFunction(name, []) { call throws(ExpressionError) in
            guard let index = call.builder.layout.index(of: column) else {
                throw call.builder.failure(at: call.syntax.token,
                                           "metadata function '\(name)()' is not available here")
            }
            return ExpressionBuilder.column(index, type: call.builder.layout.types[index])
        }
    }
}
