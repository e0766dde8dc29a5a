import Kafka
@testable import Tributary
import Testing

/// The pools that carry a chunk's buffers to the next chunk: memory is reused, never shared.
@Suite struct SpareBuffersTests {
    @Test("a recycled array comes back empty, in the same memory, with room for what is asked")
    func arrayIsReused() {
        let pool = SpareArrays<UInt8>(limit: 2, maximumCapacity: 1 << 20)
        var array = pool.take(capacity: 4096)
        array.append(contentsOf: repeatElement(7, count: 4000))
        let memory = array.withUnsafeBufferPointer { $0.baseAddress }
        pool.recycle(&array)
        #expect(array.isEmpty)
        #expect(pool.count == 1)
        let again = pool.take(capacity: 1000)
        #expect(again.isEmpty)
        #expect(again.capacity >= 4096)
        #expect(again.withUnsafeBufferPointer { $0.baseAddress } == memory)
        #expect(pool.count == 0)
        #expect(pool.sharedRecycles == 0)
    }

    @Test("an array still held elsewhere keeps its values: the next taker gets memory of its own")
    func sharedArrayIsNeverOverwritten() {
        let pool = SpareArrays<FieldValue>(limit: 2, maximumCapacity: 1 << 20)
        var rows = pool.take(capacity: 8)
        rows += [.string("kept"), .int(1), .timestamp(2)]
        let other = rows
        pool.recycle(&rows)
        #expect(pool.sharedRecycles == 1)
        var next = pool.take(capacity: 8)
        next += [.string("new"), .null, .null]
        #expect(other == [.string("kept"), .int(1), .timestamp(2)])
        #expect(next == [.string("new"), .null, .null])
    }

    @Test("every chunk buffer a batch recycles is its own: Kafka partitions and files, through the workers")
    func batchRecyclesUnsharedBuffers() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let (broker, producer) = try PipelineFixture.kafka(topic: "visits", partitions: 3)
        // Enough per partition for several chunks each (handed on full or when caught up), and a
        // file of two 1 MiB chunks.
        let kafkaRecords = 12_000
        try producer.send((0..<kafkaRecords).map { n in
            KafkaOutgoingRecord(topic: "visits", partition: Int32(n % 3), value: Array("{\"id\":\"k\(n)\",\"url\":\"/page/\(n)\",\"ts\":\(1_700_000_000_000 + n)}".utf8))
        })
        let fileLines = 20_000
        try fixture.drop("a.jsonl", (0..<fileLines).map { "{\"visit_id\":\"f\($0)\",\"page\":\"/a/fairly/long/page/path/\($0)\",\"event_time\":\"2025-11-20T10:00:00Z\"}\n" }.joined())
        let config = try fixture.config("""
            \(PipelineFixture.kafkaSource(broker, mapping: "visit_id = \"id\"\npage = \"url\"\nevent_time = \"ts\""))
            [source.files]
            path = "\(fixture.incoming)"
            min_file_age = "1s"
            """)
        let pools = (SpareBuffers.chunkBytes.sharedRecycles, SpareBuffers.chunkEntries.sharedRecycles, SpareBuffers.rowValues.sharedRecycles)
        let engine = try MicroBatchEngine(config: config, logger: PipelineFixture.logger)
        _ = try engine.run()
        #expect(try fixture.outputRows().count == kafkaRecords + fileLines)
        // The pools are the process's: any engine running alongside counts too, and none may
        // recycle a shared buffer either.
        #expect(SpareBuffers.chunkBytes.sharedRecycles == pools.0, "a chunk's bytes were still shared when recycled")
        #expect(SpareBuffers.chunkEntries.sharedRecycles == pools.1, "a chunk's entries were still shared when recycled")
        #expect(SpareBuffers.rowValues.sharedRecycles == pools.2, "a chunk's rows were still shared when recycled")
    }

    @Test("at most `limit` arrays are kept, and none larger than `maximumCapacity`")
    func poolIsBounded() {
        let pool = SpareArrays<UInt8>(limit: 2, maximumCapacity: 1024)
        for _ in 0..<5 {
            var array = pool.take(capacity: 0)
            array.reserveCapacity(512)
            var fresh = [UInt8](repeating: 1, count: 100)
            pool.recycle(&array)
            pool.recycle(&fresh)
        }
        #expect(pool.count == 2)
        var huge = [UInt8](repeating: 0, count: 4096)
        _ = pool.take(capacity: 0)
        pool.recycle(&huge)
        #expect(pool.count == 1)
        #expect(huge.isEmpty)
    }

    @Test("a chunk takes buffers with its first record, and a chunk handed off owns them alone")
    func chunkHandOff() {
        var chunk = RecordChunk(source: .file(path: "in/a.jsonl"))
        // A chunk that stays empty (a partition's next chunk at the end of a batch) is dropped
        // without recycling: it must not have taken a spare.
        #expect(chunk.bytes.capacity == 0 && chunk.entries.capacity == 0)
        let record = Array("{\"id\":1}".utf8)
        record.withUnsafeBytes { chunk.append($0, position: 1, extra: 0) }
        let memory = chunk.bytes.withUnsafeBufferPointer { $0.baseAddress }
        var handed = chunk.handOff()
        #expect(chunk.isEmpty && chunk.bytes.capacity == 0)
        guard case .file(let path) = chunk.source else { Issue.record("the new chunk lost its source"); return }
        #expect(path == "in/a.jsonl")
        #expect(handed.raw(0) == record)
        // Were the buffers shared with the reader, this append would copy them to new memory,
        // and recycling would have to as well.
        record.withUnsafeBytes { handed.append($0, position: 2, extra: 0) }
        #expect(handed.bytes.withUnsafeBufferPointer { $0.baseAddress } == memory)
        handed.recycle()
    }

    @Test("output memory is reused when large enough, replaced when too small, and bounded")
    func memoryIsReusedAndBounded() {
        let pool = SpareMemory(limit: 1, maximumCapacity: 1 << 16)
        let first = pool.take(capacity: 1000)
        #expect(first.capacity >= 1000)
        pool.recycle(first)
        #expect(pool.count == 1)
        let same = pool.take(capacity: 500)
        #expect(same.start == first.start)
        pool.recycle(same)
        let larger = pool.take(capacity: 5000)
        #expect(larger.capacity >= 5000)
        #expect(pool.count == 0)
        pool.recycle(larger)
        pool.recycle(pool.take(capacity: 1 << 17))
        let extra = SpareMemory.Block(start: .allocate(capacity: 64), capacity: 64)
        pool.recycle(extra)
        #expect(pool.count == 1)
    }

    @Test("a block's bytes are exactly what was written, whatever an earlier block left in its memory")
    func reusedOutputMemoryHoldsOnlyNewBytes() {
        for round in 0..<50 {
            var output = OutputBytes(capacity: 256)
            let line = Array("{\"round\":\(round)}\n".utf8)
            for _ in 0..<(round % 7 + 1) { line.withUnsafeBytes { output.append(bytes: $0) } }
            let block = output.block()
            #expect(block.array == Array([[UInt8]](repeating: line, count: round % 7 + 1).joined()))
        }
    }
}
