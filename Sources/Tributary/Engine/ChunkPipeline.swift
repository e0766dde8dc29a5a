import Dispatch
import Foundation

/// Processes a batch's chunks on every core while the reading thread goes on reading, and
/// hands the results on one at a time in the order the chunks were submitted, so the sinks
/// write the batch's rows in read order whatever order the workers finish in.
///
/// At most `limit` chunks are in flight (read but not yet handed on): `submit` waits for a
/// slot, which bounds memory by the chunk size, not the batch size. After a failure, the
/// chunks still in flight are dropped and `submit` and `finish` throw the first error.
final class ChunkPipeline: @unchecked Sendable {
    // @unchecked: every mutable property is guarded by `lock`; `deliver` runs on one thread
    // at a time (the `delivering` flag), each call ordered after the previous by the lock.
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let lock = NSLock()
    private let process: @Sendable (RecordChunk) throws -> ChunkProcessor.Result
    private let deliver: (ChunkProcessor.Result) throws -> Void
    private var ready: [Int: Swift.Result<ChunkProcessor.Result, any Error>] = [:]
    private var nextSubmitted = 0
    private var nextDelivered = 0
    private var delivering = false
    private var failure: (any Error)?

    /// `ordered`: process one chunk at a time, in order (a chain with dedupe state).
    init(ordered: Bool, limit: Int, process: @escaping @Sendable (RecordChunk) throws -> ChunkProcessor.Result,
         deliver: @escaping (ChunkProcessor.Result) throws -> Void) {
        queue = ordered
            ? DispatchQueue(label: "tributary.chunks")
            : DispatchQueue(label: "tributary.chunks", attributes: .concurrent)
        slots = DispatchSemaphore(value: max(1, limit))
        self.process = process
        self.deliver = deliver
    }

    /// Queues `chunk`, waiting while `limit` chunks are in flight. The chunk is consumed: the
    /// worker holds its only copy and recycles its buffers when done.
    func submit(_ chunk: consuming RecordChunk) throws {
        slots.wait()
        lock.lock()
        if let failure {
            lock.unlock()
            slots.signal()
            throw failure
        }
        let sequence = nextSubmitted
        nextSubmitted += 1
        lock.unlock()
        let box = ChunkBox(consume chunk)
        queue.async(group: group) { [self] in
            // Taken out of the box so that this is the chunk's only copy once the reader has
            // moved on, and its buffers can go to the next chunk.
            var chunk = box.take()
            let outcome: Swift.Result<ChunkProcessor.Result, any Error> = hasFailed
                ? .failure(CancellationError())
                : Swift.Result { try process(chunk) }
            chunk.recycle()
            // Moved on, not copied: the worker that delivers this result goes on to deliver
            // the ones waiting behind it, freeing their slots, and a copy kept here until then
            // would keep this result's output alive beside theirs.
            handOn(consume outcome, sequence: sequence)
        }
    }

    /// Waits until every submitted chunk has been handed on; throws the first failure.
    func finish() throws {
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
    }

    private var hasFailed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return failure != nil
    }

    private func handOn(_ outcome: consuming Swift.Result<ChunkProcessor.Result, any Error>, sequence: Int) {
        lock.lock()
        ready[sequence] = consume outcome
        // Whoever finds the next result ready delivers it and every one after it that is ready;
        // a worker whose result must wait leaves it for the one delivering.
        guard !delivering else {
            lock.unlock()
            return
        }
        delivering = true
        while let next = ready.removeValue(forKey: nextDelivered) {
            nextDelivered += 1
            let failed = failure != nil
            lock.unlock()
            if !failed {
                do {
                    try deliver(next.get())
                } catch {
                    lock.lock()
                    if failure == nil { failure = error }
                    lock.unlock()
                }
            }
            // Released before its slot lets another chunk in, so that the slots bound the
            // results alive (their output bytes go back to the spares here).
            _ = consume next
            slots.signal()
            lock.lock()
        }
        delivering = false
        lock.unlock()
    }
}

/// Hands a chunk to the worker that processes it, which takes it out.
private final class ChunkBox: @unchecked Sendable {
    // @unchecked: written by the submitting thread before the worker starts, then taken once
    // by that worker.
    private var chunk: RecordChunk?

    init(_ chunk: consuming RecordChunk) { self.chunk = chunk }

    func take() -> RecordChunk {
        defer { chunk = nil }
        return chunk!
    }
}
