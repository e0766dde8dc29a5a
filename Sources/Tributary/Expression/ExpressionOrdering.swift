/// Run-time comparison of values whose types the compiler already checked as comparable.
///
/// Strings compare by their UTF-8 bytes; ints and doubles compare exactly by numeric value.
enum ExpressionOrdering {
    /// -1, 0 or 1 as `a` is below, equal to or above `b`; nil when either is null, NaN or they do not compare.
    @inline(__always)
    static func compare(_ a: FieldValue, _ b: FieldValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return compareBytes(x, y)
        case (.double(let x), .double(let y)): return compare(x, y)
        case (.int(let x), .double(let y)): return compare(x, y)
        case (.double(let x), .int(let y)): return compare(y, x).map { -$0 }
        case (.timestamp(let x), .timestamp(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.json(let x), .json(let y)): return compareBytes(x, y)
        default: return nil
        }
    }

    /// Whether `a` equals `b`; nil when either is null or they do not compare. Faster than `compare` for strings.
    @inline(__always)
    static func equal(_ a: FieldValue, _ b: FieldValue) -> Bool? {
        switch (a, b) {
        case (.string(let x), .string(let y)), (.json(let x), .json(let y)): return sameBytes(x, y)
        default: return compare(a, b).map { $0 == 0 }
        }
    }

    static func compare(_ x: Double, _ y: Double) -> Int? {
        if x < y { return -1 }
        if x > y { return 1 }
        return x == y ? 0 : nil
    }

    /// Exact comparison of an integer with a double (converting the integer could round it).
    static func compare(_ x: Int64, _ y: Double) -> Int? {
        guard !y.isNaN else { return nil }
        // 2^63 is exactly representable; every Int64 is below it and at or above its negation.
        if y >= 9_223_372_036_854_775_808.0 { return -1 }
        if y < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = y.rounded(.down)
        let integer = Int64(whole)
        if x != integer { return x < integer ? -1 : 1 }
        return whole < y ? -1 : 0
    }

    /// Byte-wise lexicographic order of the UTF-8 encodings.
    static func compareBytes(_ x: String, _ y: String) -> Int {
        var x = x
        var y = y
        return x.withUTF8 { a in
            y.withUTF8 { b in
                let common = min(a.count, b.count)
                var index = 0
                while index < common {
                    if a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
                    index += 1
                }
                return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
            }
        }
    }

    /// Whether the UTF-8 encodings are identical.
    static func sameBytes(_ x: String, _ y: String) -> Bool {
        guard x.utf8.count == y.utf8.count else { return false }
        return compareBytes(x, y) == 0
    }
}
