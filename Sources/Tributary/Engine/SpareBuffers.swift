import Synchronization

/// Emptied arrays of one element type, kept so that the next chunk reuses their memory.
///
/// Every chunk of a batch needs the same few large buffers: its raw bytes and entries, the
/// decoded rows, the output bytes. Freed after each chunk, their memory went back to the
/// kernel or to another thread's heap, and the next chunk paid a page fault per 4 KiB to get
/// it again. Kept here, a buffer goes from one chunk to the next whatever thread takes it,
/// and the process's memory is what the chunks in flight need, however long it runs.
final class SpareArrays<Element: Sendable>: Sendable {
    private let spares = Mutex<[[Element]]>([])
    /// At most this many arrays are kept; one given beyond that is freed.
    let limit: Int
    /// An array holding room for more elements than this is freed, not kept: one unusually
    /// large chunk should not hold its memory for good.
    let maximumCapacity: Int

    init(limit: Int, maximumCapacity: Int) {
        self.limit = limit
        self.maximumCapacity = maximumCapacity
    }

    /// An empty array with room for at least `capacity` elements: a spare if there is one.
    func take(capacity: Int) -> [Element] {
        var array = spares.withLock { $0.popLast() } ?? []
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
        spare.removeAll(keepingCapacity: true)
        // One not kept is freed on return, outside the lock.
        spares.withLock { spares in
            if spares.count < limit { spares.append(spare) }
        }
    }

    /// The number of arrays kept now.
    var count: Int { spares.withLock { $0.count } }
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

    private let spares = Mutex<[Block]>([])
    let limit: Int
    let maximumCapacity: Int

    init(limit: Int, maximumCapacity: Int) {
        self.limit = limit
        self.maximumCapacity = maximumCapacity
    }

    deinit {
        spares.withLock { spares in
            for block in spares { block.start.deallocate() }
        }
    }

    /// A block of at least `capacity` bytes: a spare if one is large enough, else new memory.
    func take(capacity: Int) -> Block {
        if let spare = spares.withLock({ $0.popLast() }) {
            if spare.capacity >= capacity { return spare }
            spare.start.deallocate()
        }
        return Block(start: .allocate(capacity: capacity), capacity: capacity)
    }

    /// Keeps `block` for a later `take`, or frees it.
    func recycle(_ block: Block) {
        let kept = block.capacity <= maximumCapacity && spares.withLock { spares in
            guard spares.count < limit else { return false }
            spares.append(block)
            return true
        }
        if !kept { block.start.deallocate() }
    }

    /// The number of blocks kept now.
    var count: Int { spares.withLock { $0.count } }
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
