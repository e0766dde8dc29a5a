/// "Did you mean" hints for misspelt names.
enum ExpressionSuggestion {
    /// The farthest (in edits) a candidate may be from the name to be suggested.
    static let maxDistance = 2

    /// ` (did you mean 'x'?)` for the nearest candidate within `maxDistance` edits (ignoring case), or "".
    static func didYouMean(_ name: String, among candidates: [String]) -> String {
        let target = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased()))
            if distance <= maxDistance && distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        guard let best, best.distance < max(target.count, 1) else { return "" }
        return " (did you mean '\(best.name)'?)"
    }

    /// The Levenshtein distance: insertions, deletions and substitutions.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
