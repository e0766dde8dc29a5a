/// Where a value lies in the input, as byte offsets `[start, end)`; `start` is -1 when absent.
struct JSONValueSpan {
    var start: Int
    var end: Int
    /// True for a string the scan found without a backslash: its contents are its bytes, so
    /// converting it needs no second look for escapes.
    var isPlainString = false

    /// No value was found.
    static var absent: JSONValueSpan { JSONValueSpan(start: -1, end: -1) }

    /// Whether a value was found.
    var isPresent: Bool { start >= 0 }
}
