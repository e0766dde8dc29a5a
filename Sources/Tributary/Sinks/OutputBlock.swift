/// A chunk's output bytes, written once by a worker and then only read: by the sink that
/// writes them to a file, on another thread. It owns the memory `OutputBytes` filled, so the
/// bytes go from the writer to the file without being copied.
public final class OutputBlock: @unchecked Sendable {
    // @unchecked: the memory is written before the block exists and never after; deinit hands it on.
    private let memory: SpareMemory.Block
    private var start: UnsafeMutablePointer<UInt8> { memory.start }
    /// The number of bytes.
    public let count: Int

    /// Takes ownership of `memory`, whose first `count` bytes are the output.
    init(taking memory: SpareMemory.Block, count: Int) {
        self.memory = memory
        self.count = count
    }

    // The memory goes to the next chunk's output (or is freed when enough are kept).
    deinit { SpareBuffers.output.recycle(memory) }

    /// Whether there are no bytes.
    public var isEmpty: Bool { count == 0 }

    /// The bytes, borrowed for `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// A copy of the bytes as an array.
    public var array: [UInt8] { withUnsafeBytes { Array($0) } }
}
