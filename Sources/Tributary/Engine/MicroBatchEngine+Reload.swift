import Synchronization

extension MicroBatchEngine {
    /// Queues `candidate` for the next batch boundary, where it is checked against the running
    /// configuration and applied when every change can be made live (see `ReloadSlot`).
    public func requestReload(_ candidate: TributaryConfig) {
        reloads.offer(candidate)
    }

    /// What differs between `old` and `new` that cannot change while running.
    static func liveChangeRefusals(from old: TributaryConfig, to new: TributaryConfig) -> [String] {
        var refusals: [String] = []
        func check(_ key: String, _ same: Bool) { if !same { refusals.append(key) } }
        check("checkpoint_dir", old.checkpointDir == new.checkpointDir)
        check("dead_letter_dir", old.deadLetterDir == new.deadLetterDir)
        check("schema", old.schema == new.schema)
        check("[http] listen", old.httpListen == new.httpListen)
        check("source.kafka (presence)", (old.kafka == nil) == (new.kafka == nil))
        check("source.files (presence)", (old.files == nil) == (new.files == nil))
        if let a = old.kafka, let b = new.kafka {
            check("source.kafka.bootstrap_servers", a.bootstrapServers == b.bootstrapServers)
            check("source.kafka.topics", a.topics == b.topics)
            check("source.kafka.librdkafka", a.librdkafka == b.librdkafka)
            check("source.kafka.mapping", a.mapping == b.mapping)
            check("source.kafka.starting_offsets", a.startingOffsets == b.startingOffsets)
            check("source.kafka.embedded", a.embeddedPartitions == b.embeddedPartitions && a.embeddedLoad == b.embeddedLoad)
        }
        if let a = old.files, let b = new.files {
            check("source.files.path", a.path == b.path)
            check("source.files.mapping", a.mapping == b.mapping)
            check("source.files.clean_source", a.cleanSource == b.cleanSource)
        }
        check("sink", old.sinks.map(\.signature) == new.sinks.map(\.signature))
        check("dedupe steps", old.transforms.filter(\.isDedupe) == new.transforms.filter(\.isDedupe))
        return refusals
    }

    /// Applies a queued reload, between batches: all of it, or (when something cannot change
    /// live) none of it, with the reason logged.
    func applyPendingReload() {
        guard let candidate = reloads.take() else { return }
        let refusals = Self.liveChangeRefusals(from: config, to: candidate)
        guard refusals.isEmpty else {
            logger.error("configuration reload refused, the running configuration stays: \(refusals.joined(separator: ", ")) cannot change while running; restart to apply")
            return
        }
        do {
            let newChain = try TransformChain.compile(candidate)
            let sinks = try Self.makeSinks(candidate, chain: newChain, kafka: kafka, batchTime: { [batchClock] in batchClock.context })
            config = candidate
            chain = newChain
            runner = BatchRunner(config: candidate, chain: newChain, kafka: kafka, sinks: sinks, dedupe: dedupe, logger: logger, monitor: monitor)
            let unlimited = candidate.trigger == .once
            kafkaPlanner = candidate.kafka.map { KafkaPlanner(config: $0, unlimited: unlimited) }
            filePlanner = candidate.files.map { FilePlanner(config: $0, unlimited: unlimited) }
            logger.notice("configuration reloaded: trigger \(candidate.trigger), \(candidate.transforms.count) transform steps; applies from batch \(nextBatch)")
            reloads.applied(candidate)
        } catch {
            logger.error("configuration reload failed, the running configuration stays: \(error)")
        }
    }
}

/// Hands a re-read configuration from the SIGHUP handler to the engine's thread, and tells
/// observers which configuration is running.
public final class ReloadSlot: Sendable {
    private let pending = Mutex<TributaryConfig?>(nil)
    private let listeners = Mutex<[@Sendable (TributaryConfig) -> Void]>([])

    public init() {}

    /// Queues `config`; a later offer replaces an earlier one not yet applied.
    public func offer(_ config: TributaryConfig) { pending.withLock { $0 = config } }

    /// Calls `listener` with each configuration the engine starts running after a reload.
    public func onApplied(_ listener: @escaping @Sendable (TributaryConfig) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    func take() -> TributaryConfig? { pending.withLock { value in defer { value = nil }; return value } }

    func applied(_ config: TributaryConfig) {
        for listener in listeners.withLock({ $0 }) { listener(config) }
    }
}

extension SinkConfig {
    /// What identifies an output for reloads: its kind, settings, name and condition.
    var signature: String {
        switch kind {
        case let .files(path, partitionBy): return "files|\(name)|\(path)|\(partitionBy ?? "")|\(when ?? "")"
        case .console: return "console|\(name)|\(when ?? "")"
        case .kafka(let kafka): return "kafka|\(name)|\(kafka.bootstrapServers)|\(kafka.topic)|\(kafka.key ?? "")|\(kafka.librdkafka.sorted { $0.key < $1.key })|\(when ?? "")"
        }
    }
}

extension TransformStep {
    var isDedupe: Bool {
        if case .dedupe = self { return true }
        return false
    }
}
