import Benchmark
import Tributary

/// Records per iteration. With the `.kilo` scaling factor the table shows throughput in
/// records per second and every count per record (the `*` columns).
private let batchSize = 1_000

/// Per benchmark: up to 3 s or 20 000 iterations after 10 warm-up iterations, which keeps
/// the whole run (9 benchmarks) near a minute on a 2-core machine.
private func configuration() -> Benchmark.Configuration {
    .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .mallocBytesCount],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 20_000
    )
}

/// Ends the process with `error` from a step that cannot fail on the generated records.
private func unexpected(_ error: ExpressionRuntimeError) -> Never {
    fatalError("a transform failed on a generated record (\(error.message)); fix HotPathPipeline.swift")
}

let benchmarks: @Sendable () -> Void = {
    let pipeline = HotPathPipeline()
    let records = SampleRecords(count: batchSize, seed: 20_251_120)
    let decoded = pipeline.decodeAll(records)
    let transformed = {
        var rows = decoded
        do throws(ExpressionRuntimeError) { _ = try pipeline.transform(&rows) } catch { unexpected(error) }
        return rows
    }()
    let rowCount = decoded.count

    // MARK: Decoder

    // The decoder appends to storage that keeps its capacity between iterations, as a batch's
    // RowBuffer does once it has grown: what remains are the decoder's own allocations.
    var storage: [FieldValue] = []
    storage.reserveCapacity(rowCount * HotPathPipeline.columns.count)
    Benchmark("RecordDecoder.decode", configuration: configuration()) { benchmark in
        storage.removeAll(keepingCapacity: true)
        records.forEachLine { line in
            blackHole(pipeline.decoder.decode(line, into: &storage))
        }
        blackHole(storage)
    }

    // MARK: Expressions, one at a time, on the decoded rows

    let expressions: [(name: String, expression: CompiledExpression)] = [
        (HotPathPipeline.filterSource, pipeline.filter),
        (HotPathPipeline.countrySource, pipeline.upperCountry),
        (HotPathPipeline.testDaySource, pipeline.testDay),
        (HotPathPipeline.passedSource, pipeline.passed),
    ]
    for (source, expression) in expressions {
        Benchmark("CompiledExpression.evaluate \(source)", configuration: configuration()) { benchmark in
            for row in 0..<rowCount {
                do throws(ExpressionRuntimeError) { blackHole(try expression.evaluate(decoded[row], pipeline.context)) } catch { unexpected(error) }
            }
        }
    }

    // MARK: The three transform steps, stored into the rows

    // The same rows every iteration: the steps overwrite the columns they set, so each
    // iteration does the same work (upper() of an upper-case code costs the same).
    var rows = decoded
    Benchmark("Transforms (filter, set, set)", configuration: configuration()) { benchmark in
        do throws(ExpressionRuntimeError) { blackHole(try pipeline.transform(&rows)) } catch { unexpected(error) }
    }

    // MARK: Writers

    // The file and console sinks' path: a chunk's rows written as JSON lines into output
    // memory that goes from one chunk to the next (`SpareBuffers`).
    let everyRow = Array(0..<rowCount)
    Benchmark("ProjectedRowWriter.lines (9 columns)", configuration: configuration()) { benchmark in
        blackHole(pipeline.writer.lines(everyRow, of: transformed))
    }
    // The Kafka sink's path, a row at a time into an array. The array keeps its capacity
    // between iterations, as the sink's buffer does.
    var output: [UInt8] = []
    output.reserveCapacity(rowCount * 256)
    Benchmark("ProjectedRowWriter.append (9 columns)", configuration: configuration()) { benchmark in
        output.removeAll(keepingCapacity: true)
        for row in 0..<rowCount { pipeline.writer.append(transformed[row], to: &output) }
        blackHole(output)
    }
    Benchmark("JSONLineWriter.append (7 fields)", configuration: configuration()) { benchmark in
        output.removeAll(keepingCapacity: true)
        for row in 0..<rowCount { pipeline.lineWriter.append(decoded[row], to: &output) }
        blackHole(output)
    }
}
