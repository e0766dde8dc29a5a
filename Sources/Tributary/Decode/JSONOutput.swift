/// Where the JSON writers put their bytes: a `[UInt8]`, or an `OutputBytes` when a chunk's
/// worth of rows is written at once.
protocol JSONOutput: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
    /// Appends what `body` writes to the room it is given, at most `maximum` bytes; `body`
    /// returns how many it wrote.
    mutating func append(atMost maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int)
}

extension JSONOutput where Self: ~Copyable {
    /// `append(atMost:_:)` through scratch memory, for outputs that cannot lend their own.
    mutating func append(atMost maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximum) { scratch in
            let count = body(scratch.baseAddress!)
            append(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: scratch[..<count])))
        }
    }

    mutating func append(_ text: StaticString) {
        append(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 bytes of `text` as they are (no quoting, no escaping).
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension Array: JSONOutput where Element == UInt8 {
    mutating func append(bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }
}

/// A growable byte buffer for writing many rows: appending checks only the capacity, where an
/// array also checks per byte that its storage is not shared.
struct OutputBytes: ~Copyable, JSONOutput {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    /// Set once `block()` gave the memory to an `OutputBlock`.
    private var handedOver = false

    /// A buffer of at least `capacity` bytes, in an earlier chunk's output memory if a spare
    /// is large enough (see `SpareBuffers`).
    init(capacity: Int) {
        let block = SpareBuffers.output.take(capacity: max(capacity, 64))
        start = block.start
        self.capacity = block.capacity
    }

    deinit { if !handedOver { SpareBuffers.output.recycle(SpareMemory.Block(start: start, capacity: capacity)) } }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        start[count] = byte
        count += 1
    }

    /// Writes in place: no scratch memory, no copy.
    @inline(__always)
    mutating func append(atMost maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if capacity - count < maximum { grow(toHold: maximum) }
        count += body(start + count)
    }

    @inline(__always)
    mutating func append(bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        let length = bytes.count
        if capacity - count < length { grow(toHold: length) }
        let target = UnsafeMutableRawPointer(start + count)
        // Most pieces of a row (a `"name":` prefix, a short string, a number) are a few bytes:
        // two overlapping word copies cost less than a call to memmove.
        if length >= 8 && length <= 16 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: length - 8, as: UInt64.self)
        } else if length >= 4 && length < 8 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: length - 4, as: UInt32.self)
        } else if length < 4 {
            for index in 0..<length { target.storeBytes(of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self) }
        } else {
            target.copyMemory(from: source, byteCount: length)
        }
        count += length
    }

    private mutating func grow(toHold extra: Int) {
        let larger = max(capacity * 2, count + extra)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.moveInitialize(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = larger
    }

    /// The bytes written, handed over without a copy.
    consuming func block() -> OutputBlock {
        // The block owns the memory from now on; this buffer must not hand it back.
        handedOver = true
        return OutputBlock(taking: SpareMemory.Block(start: start, capacity: capacity), count: count)
    }
}
