import Foundation
@testable import Tributary
import Synchronization
import Testing

/// The pipeline between reading and the sinks: its slots bound what a batch holds in memory.
@Suite("Chunks between reading and the sinks", .timeLimit(.minutes(4)))
struct ChunkPipelineTests {
    /// The output blocks of the results made so far, held weakly: the ones still alive are
    /// the results the pipeline (or anything else) still holds.
    final class Outputs: Sendable {
        private final class Weak: @unchecked Sendable {
            // @unchecked: written once, at init; a weak reference is read atomically.
            weak var block: OutputBlock?
            init(_ block: OutputBlock) { self.block = block }
        }
        private let blocks = Mutex<[Weak]>([])

        func add(_ block: OutputBlock) { blocks.withLock { $0.append(Weak(block)) } }
        var alive: Int { blocks.withLock { $0.count { $0.block != nil } } }
    }

    @Test("a chunk's result is released before its slot takes another chunk: at most `limit` results alive at once")
    func resultsAliveAreBoundedBySlots() async throws {
        // The bound matters only when two workers run at once. The pipeline's workers share
        // Dispatch's threads with every other test running, so a round may get one worker;
        // short rounds go on until one had the chunks after a slow one waiting for it.
        let limit = 3
        let deadline = ContinuousClock.now + .seconds(200)
        var mostAlive = 0
        repeat {
            let round = try await Self.round(limit: limit, chunks: 60)
            #expect(round <= limit, "more results alive at once than the pipeline has slots")
            mostAlive = max(mostAlive, round)
        } while mostAlive < limit && ContinuousClock.now < deadline
        #expect(mostAlive == limit, "no round in 200 s had two workers at once: the test proved nothing")
    }

    /// Runs `chunks` chunks through a pipeline of `limit` slots; returns the most results seen
    /// alive when a chunk started, that chunk included.
    private static func round(limit: Int, chunks: Int) async throws -> Int {
        let outputs = Outputs()
        let mostAlive = Atomic<Int>(0)
        let delivered = Mutex(0)
        let pipeline = ChunkPipeline(
            ordered: false, limit: limit,
            process: { chunk in
                // This chunk holds a slot: with the results of the chunks ahead of it, no more
                // than `limit` may be alive.
                mostAlive.max(outputs.alive + 1, ordering: .relaxed)
                // Every tenth chunk is slow, so that the chunks after it finish first and wait;
                // the worker that finishes it then delivers them all, one slow write at a time.
                if case .file("in/slow.jsonl") = chunk.source { usleep(5_000) }
                var bytes = OutputBytes(capacity: 64)
                Array("{}\n".utf8).withUnsafeBytes { bytes.append(bytes: $0) }
                let block = bytes.block()
                outputs.add(block)
                var result = ChunkProcessor.Result(sourceName: "files")
                result.parts = [.lines([SinkPart.Group(folder: "", bytes: block, records: 1)])]
                return result
            },
            deliver: { _ in
                usleep(2_000)
                delivered.withLock { $0 += 1 }
            })
        // Submitted from a thread of its own, as the engine reads: a thread of the concurrency
        // pool blocked in `submit` would leave the workers one core.
        try await onThread {
            for index in 0..<chunks {
                try pipeline.submit(RecordChunk(source: .file(path: index % 10 == 0 ? "in/slow.jsonl" : "in/fast.jsonl")))
            }
            try pipeline.finish()
        }
        #expect(delivered.withLock { $0 } == chunks)
        #expect(outputs.alive == 0, "a delivered result is still held")
        return mostAlive.load(ordering: .relaxed)
    }

    private static func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}
