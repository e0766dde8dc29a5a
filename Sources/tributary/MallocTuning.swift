import CMalloc

/// Sets how glibc's allocator returns freed memory to the system, once, at start.
///
/// A chunk's large buffers (raw bytes, rows, output) go from one chunk to the next through
/// `SpareBuffers`, so they are not freed at all. What is left is the many small allocations
/// of a chunk: with glibc's defaults each thread's arena gives the freed top of its heap back
/// to the kernel almost at once, and the next chunk pays a page fault per 4 KiB to get it
/// again. A 1 MiB pad at the top of each heap keeps that memory: about 10 000 page faults for
/// the file path's 1.6 M records, where glibc's defaults took 96 000–180 000. A larger pad
/// saved no more CPU but let each thread's arena keep more of what it once used, which made
/// the peak resident memory higher and less steady (`docs/performance.md`).
enum MallocTuning {
    /// The pad, in bytes.
    static let topPad: Int32 = 1 << 20

    /// Applies the pad unless `MALLOC_TOP_PAD_` is set: an operator's own setting wins.
    /// Returns whether it set the pad.
    @discardableResult
    static func apply(environment: [String: String]) -> Bool {
        guard environment["MALLOC_TOP_PAD_"] == nil else { return false }
        return mallopt(M_TOP_PAD, topPad) == 1
    }
}
