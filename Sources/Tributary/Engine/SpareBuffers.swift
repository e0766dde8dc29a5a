import Synchronization

/// Emptied arrays of one element type, kept so that the next chunk reuses their memory.
///
/// Every chunk of a batch needs the same few large buffers: its raw bytes and entries, the
/// decoded rows, the output bytes. Freed after each chunk, their memory went back to the
/// kernel or to another thread's heap, and the next chunk paid a page fault per 4 KiB to get
/// it again. Kept here, a buffer goes from one chunk to the next whatever thread takes it,
/// and the process's memory is what the chunks in flight need, however long it runs.
final class SpareArrays<Element: Sendable>: Sendable {
    private let spares: SpareStack<[Element]>
    /// An array holding room for more elements than this is freed, not kept: one unusually
    /// large chunk should not hold its memory for good.
    let maximumCapacity: Int

    /// Keeps at most `limit` arrays, none with room for more than `maximumCapacity` elements.
    init(limit: Int, maximumCapacity: Int) {
        spares = SpareStack(limit: limit)
        self.maximumCapacity = maximumCapacity
    }

    /// An empty array with room for at least `capacity` elements: a spare if there is one.
    func take(capacity: Int) -> [Element] {
        var array = spares.pop() ?? []
        array.reserveCapacity(capacity)
        return array
    }

    /// Keeps `array`'s memory for a later `take`, leaving `array` empty. The caller must hold
    /// the only reference to its storage for the memory to be reused; otherwise the copy-on-
    /// write rules give a later taker fresh memory, and nothing is shared.
    func recycle(_ array: inout [Element]) {
        var spare: [Element] = []
        swap(&spare, &array)
        guard spare.capacity <= maximumCapacity else { return }
        let memory = spare.withUnsafeBufferPointer { $0.baseAddress }
        spare.removeAll(keepingCapacity: true)
        if spare.withUnsafeBufferPointer({ $0.baseAddress }) != memory {
            // Someone else still held the storage: emptying it allocated a new one.
            sharedOnRecycle.add(1, ordering: .relaxed)
        }
        // One not kept is freed on return, outside the lock.
        _ = spares.push(spare)
    }

    /// The number of arrays kept now.
    var count: Int { spares.count }

    /// How many recycled arrays were still shared, so that new memory was kept in their place
    /// (an allocation and fresh pages for the next chunk). The engine hands every buffer on
    /// whole, so this stays 0; tests check that it does.
    var sharedRecycles: Int { sharedOnRecycle.load(ordering: .relaxed) }
    private let sharedOnRecycle = Atomic<Int>(0)
}

/// Output memory (see `OutputBytes`), kept for the next chunk like `SpareArrays`.
final class SpareMemory: Sendable {
    /// A block of `capacity` bytes from `UnsafeMutablePointer.allocate`.
    struct Block: @unchecked Sendable {
        // @unchecked: a block is owned by exactly one holder at a time (this pool, an
        // `OutputBytes` or an `OutputBlock`), handed over under the pool's lock.
        let start: UnsafeMutablePointer<UInt8>
        let capacity: Int
    }

    private let spares: SpareStack<Block>
    /// A block larger than this is freed, not kept.
    let maximumCapacity: Int

    /// Keeps at most `limit` blocks, none larger than `maximumCapacity` bytes.
    init(limit: Int, maximumCapacity: Int) {
        spares = SpareStack(limit: limit)
        self.maximumCapacity = maximumCapacity
    }

    deinit {
        while let block = spares.pop() { block.start.deallocate() }
    }

    /// A block of at least `capacity` bytes: a spare if one is large enough, else new memory.
    func take(capacity: Int) -> Block {
        if let spare = spares.pop() {
            if spare.capacity >= capacity { return spare }
            spare.start.deallocate()
        }
        return Block(start: .allocate(capacity: capacity), capacity: capacity)
    }

    /// Keeps `block` for a later `take`, or frees it.
    func recycle(_ block: Block) {
        if block.capacity > maximumCapacity || !spares.push(block) { block.start.deallocate() }
    }

    /// The number of blocks kept now.
    var count: Int { spares.count }
}

/// The spares of one pool, last in first out (the most recently used memory is the likeliest
/// to be in cache), at most `limit` of them.
private final class SpareStack<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func pop() -> Item? { items.withLock { $0.popLast() } }

    /// Keeps `item` unless `limit` items are kept already; returns whether it was kept.
    func push(_ item: Item) -> Bool {
        items.withLock { items in
            guard items.count < limit else { return false }
            items.append(item)
            return true
        }
    }

    var count: Int { items.withLock { $0.count } }
}

/// The process's spare chunk buffers. Sized for a few chunks in flight per core: a batch
/// has at most `cores + 2` chunks between reading and writing, and a Kafka batch one more
/// being filled per partition.
enum SpareBuffers {
    /// `RecordChunk.bytes`: 1 MiB (files) or 512 KiB (Kafka) and the record that fills it.
    static let chunkBytes = SpareArrays<UInt8>(limit: 16, maximumCapacity: 4 << 20)
    /// `RecordChunk.entries`: up to 8 192 entries.
    static let chunkEntries = SpareArrays<RecordChunk.Entry>(limit: 16, maximumCapacity: 16_384)
    /// `RowBuffer` storage: a chunk's rows, `width` values each.
    static let rowValues = SpareArrays<FieldValue>(limit: 8, maximumCapacity: 1 << 19)
    /// `OutputBytes`: a chunk's JSON lines.
    static let output = SpareMemory(limit: 8, maximumCapacity: 8 << 20)
}
