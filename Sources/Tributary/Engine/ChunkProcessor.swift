/// Turns one chunk of raw records into what the sinks write: decodes the records into rows
/// (a record that does not fit becomes a dead letter), runs the transform chain, picks each
/// sink's rows by its `when`, and has each sink prepare its bytes or records. It keeps no
/// state between chunks (dedupe state aside), so chunks are processed on every core at once.
struct ChunkProcessor: @unchecked Sendable {
    // @unchecked: `dedupe` states are mutable classes; a chain with a dedupe step has its
    // chunks processed one at a time, in order (see `BatchRunner`), so they are never shared.
    let chain: TransformChain
    let sinks: [any BatchSink]
    let kafkaDecoder: SourceDecoder?
    let fileDecoder: SourceDecoder?
    let dedupe: [DedupeState]
    let unrouted: UnroutedPolicy

    /// What one chunk produced.
    struct Result: Sendable {
        var sourceName: String
        var counts = SourceCounts()
        var letters: [DeadLetter] = []
        /// Per sink, what it writes for this chunk.
        var parts: [SinkPart] = []
        /// Rows no sink took.
        var unrouted = 0
        /// Rows taken, per sink.
        var taken: [Int] = []
    }

    func process(_ chunk: RecordChunk, context: ExpressionContext) throws -> Result {
        var result = Result(sourceName: chunk.sourceName)
        result.counts.read = chunk.read
        result.letters = chunk.letters
        var rows = RowBuffer(width: chain.columns.count, reservingSpare: chunk.entries.count)
        // The sinks' parts hold bytes or records of their own, never the rows.
        defer { rows.recycle() }
        // rowEntry[row] is the chunk entry the row was decoded from.
        var rowEntry: [Int] = []
        rowEntry.reserveCapacity(chunk.entries.count)
        // Everything that reads the rows happens inside this scope: a string field may be kept
        // as its text in these bytes (`FieldValue.text`), written by the sinks' `prepare`.
        try chunk.bytes.withUnsafeBytes { arena in
            // One decoder for a whole Kafka or file chunk, looked up once: copying it out per
            // record retained and released every array it holds, from every core at once.
            if case .replay = chunk.source {
                for index in chunk.entries.indices {
                    guard let decoder = decoder(for: chunk, entry: index) else {
                        let section = chunk.origin(index).isKafka ? "[source.kafka]" : "[source.files]"
                        result.letters.append(DeadLetter(raw: chunk.raw(index), reason: "cannot replay: the configuration has no \(section) to decode it", stage: .decode, origin: chunk.origin(index)))
                        continue
                    }
                    Self.decode(chunk, index..<(index + 1), arena: arena, with: decoder, into: &rows, rowEntry: &rowEntry, letters: &result.letters)
                }
            } else if let decoder = decoder(for: chunk, entry: 0) {
                Self.decode(chunk, chunk.entries.indices, arena: arena, with: decoder, into: &rows, rowEntry: &rowEntry, letters: &result.letters)
            }
            try transformAndPrepare(chunk, rows: &rows, rowEntry: rowEntry, context: context, result: &result)
        }
        return result
    }

    /// Runs the chain over the decoded `rows`, routes them, turns failed rows into dead letters
    /// and has each sink prepare its part.
    private func transformAndPrepare(
        _ chunk: RecordChunk, rows: inout RowBuffer, rowEntry: [Int], context: ExpressionContext, result: inout Result
    ) throws {
        let transformed = chain.apply(to: &rows, context: context, dedupe: dedupe, batchTimeMicros: context.batchTimeMicros)
        result.counts.filtered += transformed.filtered.count
        var failures = transformed.failures.map { (row: $0.row, stage: DeadLetter.Stage.transform, reason: "\($0.location): \($0.message)") }
        let selections = route(transformed.selection, rows: rows, context: context, result: &result, failures: &failures)
        for failure in failures.sorted(by: { $0.row < $1.row }) {
            let entry = rowEntry[failure.row]
            result.letters.append(DeadLetter(raw: chunk.raw(entry), reason: failure.reason, stage: failure.stage, origin: chunk.origin(entry)))
        }
        result.counts.deadLettered = result.letters.count
        result.taken = selections.map(\.count)
        result.parts = try sinks.indices.map { index in
            try sinks[index].prepare(rows: rows, selection: selections[index], origin: chunk.originName, context: context)
        }
    }

    /// Decodes entries `indexes` of `chunk` into `rows`, noting each row's entry; a record that
    /// does not fit becomes a dead letter.
    // A static function with its state passed inout, not a nested function capturing it: a
    // captured variable is checked for exclusive access at run time on every use, per record.
    private static func decode(
        _ chunk: RecordChunk, _ indexes: Range<Int>, arena: UnsafeRawBufferPointer, with decoder: borrowing SourceDecoder,
        into rows: inout RowBuffer, rowEntry: inout [Int], letters: inout [DeadLetter]
    ) {
        for index in indexes {
            let entry = chunk.entries[index]
            let value = UnsafeRawBufferPointer(rebasing: arena[entry.start..<(entry.start + entry.length)])
            if let failure = decoder.decode(value, metadata: { chunk.metadata($0, of: index) }, into: &rows) {
                letters.append(DeadLetter(raw: Array(value), reason: failure.reason, stage: DeadLetter.Stage(failure.stage), origin: chunk.origin(index)))
            } else {
                rowEntry.append(index)
            }
        }
    }

    private func decoder(for chunk: RecordChunk, entry: Int) -> SourceDecoder? {
        switch chunk.source {
        case .kafka: return kafkaDecoder
        case .file: return fileDecoder
        case .replay(_, let sources): return sources[entry].type == "kafka" ? kafkaDecoder : fileDecoder
        }
    }

    /// Picks, per sink, the rows its `when` takes; counts rows written; handles rows no sink
    /// takes (`unrouted`) and rows whose `when` cannot be evaluated.
    private func route(
        _ selection: [Int], rows: RowBuffer, context: ExpressionContext,
        result: inout Result, failures: inout [(row: Int, stage: DeadLetter.Stage, reason: String)]
    ) -> [[Int]] {
        // The common case, one sink taking every record, needs no per-row work.
        if chain.routes.allSatisfy({ $0 == nil }) && !sinks.isEmpty {
            result.counts.written += selection.count
            return Array(repeating: selection, count: sinks.count)
        }
        var selections = [[Int]](repeating: [], count: sinks.count)
        for row in selection {
            var taken = false
            var failure: String?
            for (index, route) in chain.routes.enumerated() {
                guard let route else {
                    selections[index].append(row)
                    taken = true
                    continue
                }
                do throws(ExpressionRuntimeError) {
                    if try route.evaluate(rows[row], context) == .bool(true) {
                        selections[index].append(row)
                        taken = true
                    }
                } catch {
                    failure = "sink[\(index)] (\(sinks[index].name)).when: \(error.message)"
                }
            }
            if taken {
                result.counts.written += 1
            } else if let failure {
                failures.append((row, .sink, failure))
            } else if unrouted == .deadLetter {
                result.unrouted += 1
                failures.append((row, .sink, "no sink's `when` takes this record (unrouted = \"dead-letter\")"))
            } else {
                result.unrouted += 1
                result.counts.filtered += 1
            }
        }
        return selections
    }
}
