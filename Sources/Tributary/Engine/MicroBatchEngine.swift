import Glibc
import Synchronization
import Kafka
public import Logging

/// The micro-batch loop: plan, write ahead, run, commit, clean up, report; and on start, the
/// recovery that re-runs a batch planned but not committed with exactly its recorded ranges.
public final class MicroBatchEngine {
    public internal(set) var config: TributaryConfig
    let logger: Logger
    let lock: CheckpointLock
    let store: CheckpointStore
    let filesLog: ProcessedFilesLog?
    let kafka: KafkaSource?
    var runner: BatchRunner
    var chain: TransformChain
    let dedupe: [DedupeState]
    /// Configurations re-read on SIGHUP, applied at the next batch boundary.
    public let reloads: ReloadSlot
    /// The batch time expressions see (`now()`), readable by sinks that evaluate expressions.
    let batchClock: BatchClock
    /// What the engine reports to the service layer.
    public let monitor: EngineMonitor
    /// Set by `run` for the duration of a run: true when a stop must not wait for the batch
    /// in flight (it is abandoned before its commit and runs again at the next start).
    var shouldAbandon: () -> Bool = { false }

    /// Thrown when a batch is abandoned before its commit because the stop could not wait.
    public struct Abandoned: Error, CustomStringConvertible {
        public let batch: Int64
        public var description: String { "batch \(batch) abandoned before its commit; it runs again at the next start" }
    }
    var kafkaPlanner: KafkaPlanner?
    var filePlanner: FilePlanner?

    /// Each partition's next offset after the last committed batch.
    var committedKafka: [TopicPartition: Int64] = [:]
    var nextBatch: Int64 = 0
    var lastKafkaBatch = ContinuousClock.now
    var previousSizes: [String: Int64] = [:]
    /// available-now: what existed at start.
    var kafkaLimit: [TopicPartition: Int64]?
    var fileLimit: Set<String>?
    /// Files reported as changed after being taken (reported once each).
    var reportedChanged: Set<String> = []
    /// Input names that are not UTF-8, already warned about.
    var reportedUndecodable: Set<String> = []
    public private(set) var lastProgress: ProgressReport?
    /// True when the last planning went without a source (broker down, input folder gone).
    var sourceUnavailable = false
    /// Why the input folder could not be listed at the last planning (nil: it could).
    var inputFolderProblem: String?
    /// High watermarks seen at the last planning, for lag in progress reports.
    var latestOffsets: [TopicPartition: Int64] = [:]

    /// Opens everything a run needs: takes the checkpoint lock (failing if another process
    /// holds it), loads the checkpoint, opens the sources and sinks.
    public init(config: TributaryConfig, logger: Logger, monitor: EngineMonitor = EngineMonitor(), reloads: ReloadSlot = ReloadSlot()) throws {
        self.config = config
        self.logger = logger
        self.monitor = monitor
        self.reloads = reloads
        try AtomicFileWriter.makeFolder(config.checkpointDir, mode: 0o700)
        lock = try CheckpointLock.acquire(directory: config.checkpointDir)
        // Holding the lock, every temp file of an interrupted atomic write is stale.
        var swept = StaleTempFiles.sweep(config.checkpointDir, depth: 3) + StaleTempFiles.sweep(config.deadLetterDir, depth: 1)
        for sink in config.sinks { if case .files(let path, _) = sink.kind { swept += StaleTempFiles.sweep(path, depth: 2) } }
        if swept > 0 { logger.notice("removed \(swept) temp file(s) left by an interrupted run") }
        store = try CheckpointStore(directory: config.checkpointDir)
        filesLog = try config.files.map { _ in try ProcessedFilesLog(directory: config.checkpointDir + "/sources/files") }
        kafka = try config.kafka.map { try KafkaSource(config: $0, logger: logger) }
        chain = try TransformChain.compile(config)
        let lastCommitted = try store.latestCommittedBatch()
        var dedupe: [DedupeState] = []
        for step in chain.steps {
            if case let .dedupe(_, within, ordinal, _) = step {
                dedupe.append(try DedupeState(checkpointDir: config.checkpointDir, ordinal: ordinal, within: within, lastCommitted: lastCommitted))
            }
        }
        self.dedupe = dedupe
        let clock = BatchClock()
        batchClock = clock
        let sinks = try Self.makeSinks(config, chain: chain, kafka: kafka, batchTime: { clock.context })
        runner = BatchRunner(config: config, chain: chain, kafka: kafka, sinks: sinks, dedupe: dedupe, logger: logger, monitor: monitor)
        let unlimited = config.trigger == .once
        kafkaPlanner = config.kafka.map { KafkaPlanner(config: $0, unlimited: unlimited) }
        filePlanner = config.files.map { FilePlanner(config: $0, unlimited: unlimited) }
    }

    /// Runs until `shouldStop` returns true (checked between batches and while waiting), or,
    /// for available-now and once, until the input is drained. Returns the number of batches run.
    @discardableResult
    public func run(shouldStop: () -> Bool = { false }, shouldAbandon: @escaping () -> Bool = { false }) throws -> Int {
        self.shouldAbandon = shouldAbandon
        defer { monitor.stopping() }
        monitor.ready()
        var batches = try recover(shouldStop: shouldStop) ? 1 : 0
        if config.trigger == .availableNow { try captureAvailableNow() }
        let clock = ContinuousClock()
        while !shouldStop() {
            monitor.heartbeat()
            applyPendingReload()
            TestHooks.wedgeWhileAsked()
            let triggerStart = clock.now
            if let plan = try planNext() {
                guard try executeRetrying(plan, planDuration: clock.now - triggerStart, shouldStop: shouldStop) else { break }
                batches += 1
                if config.trigger == .once { break }
            } else if case .interval = config.trigger {
                // Nothing to do yet: wait for the next trigger.
            } else {
                break  // available-now and once: drained.
            }
            if case .interval(let interval) = config.trigger {
                let wakeUp = triggerStart + interval
                while clock.now < wakeUp && !shouldStop() {
                    monitor.heartbeat()
                    usleep(UInt32(min(100_000, max(1_000, (wakeUp - clock.now).nanoseconds / 1_000))))
                }
            }
        }
        return batches
    }

    /// Loads where the checkpoint stands; re-runs an uncommitted batch. Returns true when a
    /// batch was re-run.
    func recover(shouldStop: () -> Bool = { false }) throws -> Bool {
        switch try store.recoveryState() {
        case .fresh:
            nextBatch = 0
            return false
        case .committed(let last):
            try restoreCommitted(last)
            nextBatch = last + 1
            return false
        case .uncommitted(let batch, let lastCommitted):
            if let lastCommitted { try restoreCommitted(lastCommitted) }
            let plan = try store.readOffsets(batch, as: BatchPlan.self)
            logger.notice("batch \(batch) was planned but not committed: running it again with its recorded ranges")
            nextBatch = batch
            return try executeRetrying(plan, planDuration: .zero, shouldStop: shouldStop)
        }
    }

    private func restoreCommitted(_ batch: Int64) throws {
        let plan = try store.readOffsets(batch, as: BatchPlan.self)
        for state in dedupe { try state.commit(time: batchClock.context.batchTimeMicros) }
        committedKafka = plan.kafkaEnds
        // The files log is appended after the commit: a crash in between leaves it behind the
        // commit, so replay the commit's file results (appending is idempotent).
        if let filesLog {
            let commit = try store.readCommit(batch, as: BatchCommit.self)
            let missing = commit.files.filter { result in
                guard let state = filesLog.state(of: result.path) else { return true }
                return state.bytesTaken < result.endOffset || (result.complete && !state.complete)
            }
            if !missing.isEmpty { try filesLog.append(missing.map { takenFile($0, batch: batch) }) }
        }
    }

    private func captureAvailableNow() throws {
        if let kafka {
            kafkaLimit = try kafka.partitionsAndWatermarks().watermarks.mapValues(\.high)
        }
        if let files = config.files {
            fileLimit = Set(try FileListing.list(folder: files.path, pattern: files.pattern).map(\.path))
        }
    }

    /// Plans the next batch, or returns nil when there is nothing to do (nothing is written).
    func planNext() throws -> BatchPlan? {
        let batchTime = TimestampFormat.format(Self.nowMicros())
        var kafkaRanges: [BatchPlan.KafkaRange] = []
        var dataLoss: [DataLossEvent] = []
        var unavailable: [String] = []
        if let kafka, let kafkaPlanner {
            do {
                let (partitions, marks) = try kafka.partitionsAndWatermarks()
                latestOffsets = marks.mapValues(\.high)
                let plan = try kafkaPlanner.plan(
                    partitions: partitions, committed: committedKafka, watermarks: marks,
                    limit: kafkaLimit, sinceLastBatch: ContinuousClock.now - lastKafkaBatch)
                kafkaRanges = plan.ranges.map { BatchPlan.KafkaRange(topic: $0.topic, partition: $0.partition, start: $0.start, end: $0.end) }
                dataLoss = plan.dataLoss
                for event in dataLoss {
                    logger.warning("data loss on \(event.topic)[\(event.partition)]: offsets \(event.plannedStart)..<\(event.lowWatermark) were deleted before they were read; continuing from \(event.lowWatermark) (fail_on_data_loss = false)")
                }
            } catch let error as KafkaError where error.isRetriable {
                // The broker is unreachable: keep processing files, keep Kafka where it is.
                logger.warning("Kafka is unavailable, planning this batch without it: \(error)")
                unavailable.append("Kafka is unavailable: \(error.message)")
                kafkaRanges = committedKafka.keys.sorted().map { BatchPlan.KafkaRange(topic: $0.topic, partition: $0.partition, start: committedKafka[$0]!, end: committedKafka[$0]!) }
            }
        }
        var fileRanges: [PlannedFileRange] = []
        if let files = config.files, let filePlanner, let filesLog {
            var candidates: [FileCandidate] = []
            var undecodable: [String] = []
            do {
                candidates = try FileListing.list(folder: files.path, pattern: files.pattern) { name, reason in
                    if reason == .undecodableName { undecodable.append(name) }
                }
                if let missing = inputFolderProblem {
                    logger.notice("input folder \(files.path) can be listed again (it was: \(missing)); files resume")
                    inputFolderProblem = nil
                }
            } catch {
                // A folder that disappears (an unmounted share, a folder replaced by a
                // deploy) must not stop Kafka: plan without files until it is back.
                if inputFolderProblem != error.description {
                    logger.warning("\(error); planning without files until the folder is back (Kafka continues). Restore the folder or fix [source.files] path")
                }
                inputFolderProblem = error.description
                unavailable.append("input folder unavailable: \(error)")
            }
            for name in undecodable where reportedUndecodable.insert(name).inserted {
                logger.warning("\(files.path)/\(name) is skipped: its name is not valid UTF-8 (shown with U+FFFD); rename it to a UTF-8 name to have it read")
            }
            if let fileLimit { candidates.removeAll { !fileLimit.contains($0.path) } }
            let planned = filePlanner.plan(candidates, progress: { filesLog.progress(of: $0) }, previousSizes: previousSizes, nowNanos: Self.nowMicros() * 1000)
            previousSizes = Dictionary(candidates.map { ($0.path, $0.size) }, uniquingKeysWith: { $1 })
            fileRanges = planned.ranges
            for path in planned.notes.changed where reportedChanged.insert(path).inserted {
                logger.warning("\(path) changed after it was taken (size or mtime differs); it is not read again. Drop a new file with a new name to add records")
            }
        }
        sourceUnavailable = !unavailable.isEmpty
        if unavailable.isEmpty { monitor.healthy() } else { monitor.failing(unavailable.joined(separator: "; ")) }
        let plan = BatchPlan(batch: nextBatch, batchTime: batchTime, kafka: kafkaRanges, files: fileRanges, dataLoss: dataLoss)
        return plan.isEmpty ? nil : plan
    }

    /// Runs `plan`, and when Kafka fails it for a passing reason (its ranges cannot be read,
    /// or a Kafka sink's records are not acknowledged: brokers down, timeout) runs it again
    /// with the same ranges after a growing pause (1 s doubling to 60 s). Returns false when
    /// asked to stop before the batch committed: it stays planned and the next start runs it.
    func executeRetrying(_ plan: BatchPlan, planDuration: Duration, shouldStop: () -> Bool) throws -> Bool {
        var pause = Duration.seconds(1)
        while true {
            do {
                try execute(plan, planDuration: planDuration)
                return true
            } catch let error as KafkaError where error.isRetriable {
                // The error says which side failed: reading the source's ranges, or a Kafka
                // sink's records not acknowledged.
                logger.warning("batch \(plan.batch) did not complete: \(error). Trying again in \(pause) with the same ranges")
                monitor.failing("batch \(plan.batch) cannot complete: \(error.message)")
                let wakeUp = ContinuousClock.now + pause
                while ContinuousClock.now < wakeUp {
                    if shouldStop() { return false }
                    monitor.heartbeat()
                    usleep(50_000)
                }
                pause = min(pause * 2, .seconds(60))
            }
        }
    }

    /// Write-ahead, run, commit, after-commit work, progress.
    func execute(_ plan: BatchPlan, planDuration: Duration) throws {
        let clock = ContinuousClock()
        var durations: [String: Duration] = ["plan": planDuration]
        let executing = clock.now
        var started = executing
        if (try? store.readOffsets(plan.batch, as: BatchPlan.self)) != plan {
            try store.writeOffsets(plan.batch, plan)
        }
        durations["write_ahead"] = clock.now - started
        TestHooks.pause()
        batchClock.context = ExpressionContext(batchTimeMicros: TimestampFormat.parse(plan.batchTime) ?? 0)
        let outcome: BatchRunner.Outcome
        do {
            outcome = try runner.run(plan)
        } catch {
            for state in dedupe { state.discard() }
            throw error
        }
        TestHooks.pause()
        durations.merge(outcome.durations) { $1 }
        started = clock.now
        if shouldAbandon() {
            for state in dedupe { state.discard() }
            throw Abandoned(batch: plan.batch)
        }
        let commit = BatchCommit(batch: plan.batch, committedAt: TimestampFormat.format(Self.nowMicros()), counts: outcome.counts, files: outcome.files)
        try store.writeCommit(plan.batch, commit)
        durations["commit"] = clock.now - started
        for state in dedupe { try state.commit(time: batchClock.context.batchTimeMicros) }
        committedKafka = plan.kafkaEnds
        if plan.kafka.contains(where: { $0.start < $0.end }) { lastKafkaBatch = ContinuousClock.now }
        nextBatch = plan.batch + 1
        try afterCommit(plan, commit)
        durations["total"] = planDuration + (clock.now - executing)
        let report = ProgressReport(plan: plan, outcome: outcome, durations: durations, latestOffsets: latestOffsets)
        lastProgress = report
        let line = report.jsonLine()
        try? store.writeProgress(plan.batch, json: line)
        monitor.committed(report, json: line, sourceStillFailing: sourceUnavailable)
        logger.info("batch \(plan.batch) committed: \(String(decoding: line.dropLast(), as: UTF8.self))")
    }

    static func makeSinks(
        _ config: TributaryConfig, chain: TransformChain, kafka: KafkaSource?,
        batchTime: @escaping () -> ExpressionContext
    ) throws -> [any BatchSink] {
        let writer = chain.writer
        var sinks: [any BatchSink] = []
        for (index, sink) in config.sinks.enumerated() {
            switch sink.kind {
            case let .files(path, partitionBy):
                let partition = partitionBy.flatMap { name in chain.partitionColumns[index].map { (name: name, index: $0) } }
                sinks.append(try FileSink(name: sink.name, path: path, writer: writer, partition: partition, fileMode: config.fileMode, folderMode: config.folderMode))
            case .console:
                sinks.append(ConsoleSink(name: sink.name, writer: writer))
            case .kafka(let settings):
                var bootstrap = settings.bootstrapServers
                if bootstrap == "embedded" {
                    guard let broker = kafka?.embedded else {
                        throw ConfigError(file: config.file, problems: [.init(key: "sink[\(index)].bootstrap_servers", message: "\"embedded\" needs [source.kafka] bootstrap_servers = \"embedded\" too (the sink uses the source's in-process broker)")])
                    }
                    bootstrap = broker.bootstrapServers
                    // An existing topic is fine: the broker says so and nothing changes.
                    _ = try? broker.createTopic(settings.topic, partitions: settings.embeddedPartitions)
                }
                sinks.append(try KafkaSink(name: sink.name, config: settings, bootstrap: bootstrap, writer: writer, key: chain.keys[index]))
            }
        }
        return sinks
    }

    private func afterCommit(_ plan: BatchPlan, _ commit: BatchCommit) throws {
        try retireReplayed(plan)
        if let filesLog, !commit.files.isEmpty {
            try filesLog.append(commit.files.map { takenFile($0, batch: plan.batch) })
            cleanSource(commit.files.filter(\.complete).map(\.path))
            if filesLog.entriesSinceCompaction >= 10_000 {
                let cutoff = config.files?.maxFileAge.map { Self.nowMicros() * 1000 - $0.nanoseconds }
                try filesLog.compact(olderThan: cutoff)
            }
        }
        try store.purge(keepLast: config.retainBatches)
    }

    private func cleanSource(_ paths: [String]) {
        guard let clean = config.files?.cleanSource else { return }
        for path in paths {
            switch clean {
            case .off: return
            case .delete:
                if unlink(path) != 0 { logger.warning("clean_source: cannot delete \(path): \(String(cString: strerror(errno)))") }
            case .archive(let folder):
                let name = path.split(separator: "/").last.map(String.init) ?? path
                do {
                    try AtomicFileWriter.makeFolder(folder)
                    if rename(path, "\(folder)/\(name)") != 0 { throw FileIOError(path: path, operation: "archive", errno: errno) }
                } catch {
                    logger.warning("clean_source: cannot archive \(path) into \(folder): \(error)")
                }
            }
        }
    }

    private func takenFile(_ result: BatchCommit.FileResult, batch: Int64) -> TakenFile {
        TakenFile(path: result.path, size: result.size, mtimeNanos: result.mtimeNanos, batch: batch,
                  rangeStart: result.start, rangeEnd: result.endOffset, complete: result.complete, lines: result.linesTaken)
    }

    static func nowMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
    }
}
