/// A regular expression compiled once from a pattern literal, shared by every evaluation.
///
/// `Regex` is not declared `Sendable`, but one built from a pattern string holds no custom components, and
/// its lazily lowered program is initialised atomically, so concurrent matching is safe. The program is
/// lowered here anyway, before the value is shared.
struct ExpressionRegex: @unchecked Sendable {
    private let regex: Regex<AnyRegexOutput>

    /// Throws when `pattern` is not a valid regular expression.
    init(_ pattern: String) throws {
        regex = try Regex(pattern)
        _ = "".contains(regex)
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        text.contains(regex)
    }
}
