/// Compiles expression source text against a layout, once, into a `CompiledExpression`.
///
/// The language:
/// - Literals: integers (64-bit), decimals with optional exponent (double), strings in '…' or "…" with the
///   escapes `\n \t \r \\ \' \"` (a backslash before any other character stays, so '\d+' is a regex),
///   `true`, `false`, `null`. Lists `[…]` of constants only after `in` / `not in`.
/// - Fields: `name` or `` `any name` ``; `field.key.key` follows object keys into a json field (null when
///   missing or when a step meets an array or a scalar: array elements are not addressable).
/// - Operators, loosest first: `or`; `and`; `not`; `= == != <> < <= > >=`, `is [not] null`,
///   `[not] in [...]` (not chainable); `+ - ||`; `* / %`; unary `-`. Keywords and function names ignore case.
/// - Types: int op int is int (overflow is an error, `/` truncates, `%` takes the dividend's sign); a double
///   operand makes it double; dividing by zero is an error. `+` and `||` join strings. Comparisons take
///   two numbers, strings (UTF-8 byte order), timestamps, or, for `=` and `!=` only, bools or json texts.
///
/// Null semantics are SQL-like: arithmetic, comparisons, `not` and functions give null when an argument is
/// null, except `is null` / `is not null` (never null), `coalesce` (the first non-null argument),
/// `if` (only the condition is tested; a null condition selects the `else` branch), and `concat`
/// (null counts as the empty string). `and` and `or` use three-valued logic: `false and null` is false,
/// `true and null` is null, `true or null` is true, `false or null` is null; they stop at the first
/// operand that decides the result, so later operands are not evaluated. `x in [...]` is null when `x` is
/// null, or when no element matches and the list holds a null; `not in` is its negation.
/// A `filter` keeps a row only when its value is true (the engine's rule).
///
/// Parts that do not depend on the row are evaluated once here (unless that fails: then they fail per row).
/// Nesting (parentheses, calls, prefix operators, operator chains other than `and` / `or`) is limited to
/// `ExpressionParser.maxDepth` (64) levels.
public enum ExpressionCompiler {
    /// Compiles `source` for rows laid out as `layout`; `location` prefixes messages, e.g. "transform[2].set.score".
    public static func compile(
        _ source: String, layout: ExpressionLayout, location: String
    ) throws(ExpressionError) -> CompiledExpression {
        var lexer = ExpressionLexer(source, location: location)
        let tokens = try lexer.tokenize()
        var parser = ExpressionParser(tokens: tokens, location: location)
        let syntax = try parser.parse()
        let builder = ExpressionBuilder(layout: layout, location: location, source: lexer.characters)
        return CompiledExpression(try builder.build(syntax))
    }
}
