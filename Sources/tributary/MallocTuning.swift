import CMalloc

/// Sets how glibc's allocator returns freed memory to the system, once, at start.
///
/// A batch allocates a few megabytes per chunk (rows, output bytes, read buffers) on every
/// worker thread and frees them a moment later. With glibc's defaults each thread's arena
/// gives the freed top of its heap back to the kernel almost at once, so the next chunk takes
/// fresh pages: about one page fault per 9 records on the file path. Keeping a 16 MiB pad at
/// the top of each heap lets the next chunk reuse those pages: `tributary run` took about
/// 7 000 page faults instead of 96 000–180 000 for 1.6 M records, and 17–22% less CPU
/// (`docs/performance.md`). Memory stays bounded: at most 16 MiB per arena beyond what is in
/// use, untouched pages not counted in the resident set.
enum MallocTuning {
    /// The pad, in bytes.
    static let topPad: Int32 = 16 << 20

    /// Applies the pad unless `MALLOC_TOP_PAD_` is set: an operator's own setting wins.
    /// Returns whether it set the pad.
    @discardableResult
    static func apply(environment: [String: String]) -> Bool {
        guard environment["MALLOC_TOP_PAD_"] == nil else { return false }
        return mallopt(M_TOP_PAD, topPad) == 1
    }
}
