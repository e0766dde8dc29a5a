extension ExpressionBuilder {
    /// A built-in function call, with its arity and argument types checked.
    func call(
        _ name: String, _ argumentSyntax: [ExpressionSyntax], _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> ExpressionCompiledNode {
        guard let function = ExpressionFunction.catalog[name] else {
            let names = ExpressionFunction.catalog.keys.sorted()
            throw failure(at: syntax.token, "unknown function '\(syntax.token.text)'"
                          + ExpressionSuggestion.didYouMean(name, among: names))
        }
        if let problem = function.arityProblem(argumentSyntax.count) {
            throw failure(at: syntax.token, problem)
        }
        var arguments: [ExpressionCompiledNode] = []
        for (index, element) in argumentSyntax.enumerated() {
            let argument = try build(element)
            let parameter = function.parameter(at: index)
            guard parameter.accepts(argument.type) else {
                throw failure(over: element, "argument \(index + 1) of \(function.signature) must be "
                              + "\(parameter.expected), got \(argument.type)")
            }
            arguments.append(argument)
        }
        let call = ExpressionCall(function: function, arguments: arguments, argumentSyntax: argumentSyntax,
                                  syntax: syntax, builder: self)
        return try function.build(call)
    }
}
