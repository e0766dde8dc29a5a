/// A chunk's output bytes, written once by a worker and then only read: by the sink that
/// writes them to a file, on another thread. It owns the memory `OutputBytes` filled, so the
/// bytes go from the writer to the file without being copied.
final class OutputBlock: @unchecked Sendable {
    // @unchecked: the memory is written before the block exists and never after; deinit frees it.
    private let start: UnsafeMutablePointer<UInt8>
    /// The number of bytes.
    let count: Int

    /// Takes ownership of `count` bytes at `start` (allocated with `UnsafeMutablePointer.allocate`).
    init(taking start: UnsafeMutablePointer<UInt8>, count: Int) {
        self.start = start
        self.count = count
    }

    deinit { start.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The bytes, borrowed for `body`.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// A copy of the bytes as an array.
    var array: [UInt8] { withUnsafeBytes { Array($0) } }
}
