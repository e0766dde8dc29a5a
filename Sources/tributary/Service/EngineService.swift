import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Tributary

/// The micro-batch engine as a service. The engine is made and run on a thread of its own
/// (its work blocks on files and librdkafka); it stops between batches on graceful shutdown,
/// abandons the batch in flight before its commit when the shutdown timeout passes or the
/// task is cancelled (a second signal), and re-reads its configuration on SIGHUP.
struct EngineService: Service {
    let config: TributaryConfig
    let configFile: String
    let monitor: EngineMonitor
    let reloads: ReloadSlot
    let logger: Logger

    func run() async throws {
        let stop = StopFlag()
        let abandon = StopFlag()
        let reload = watchForReload()
        let second = watchForSecondSignal(abandon: abandon)
        defer {
            reload.cancel()
            second.forEach { $0.cancel() }
        }
        let timeout = config.shutdownTimeout
        let batches = try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await runEngine(stop: stop, abandon: abandon)
            } onGracefulShutdown: { [logger] in
                logger.notice("stopping: no new batch; the batch in flight has \(timeout) to commit")
                stop.set()
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.nanosecondsClamped / 1_000_000))) {
                    abandon.set()
                }
            }
        } onCancel: {
            stop.set()
            abandon.set()
        }
        logger.info("stopped after \(batches) batch\(batches == 1 ? "" : "es")")
    }

    private func runEngine(stop: StopFlag, abandon: StopFlag) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { [config, monitor, reloads, logger] in
                continuation.resume(with: Result {
                    do {
                        let engine = try MicroBatchEngine(config: config, logger: logger, monitor: monitor, reloads: reloads)
                        logger.info("pipeline started: checkpoint \(config.checkpointDir), trigger \(config.trigger)")
                        return try engine.run(shouldStop: { stop.isSet }, shouldAbandon: { abandon.isSet })
                    } catch let abandoned as MicroBatchEngine.Abandoned {
                        logger.notice("\(abandoned)")
                        return 0
                    }
                })
            }
        }
    }

    /// SIGTERM/SIGINT also start the group's graceful shutdown; counting them here makes the
    /// second one abandon the batch in flight at once.
    private func watchForSecondSignal(abandon: StopFlag) -> [any DispatchSourceSignal] {
        let count = SignalCount()
        let queue = DispatchQueue(label: "tributary.signals")
        return [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [logger] in
                if count.increment() == 2 {
                    logger.notice("second stop signal: abandoning the batch in flight before its commit")
                    abandon.set()
                }
            }
            source.resume()
            return source
        }
    }

    /// SIGHUP: re-read the configuration file and hand it to the engine, which applies it at
    /// the next batch boundary or refuses it (and says why) when something cannot change live.
    private func watchForReload() -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "tributary.reload"))
        source.setEventHandler { [configFile, logger, reloads] in
            do {
                let config = try ConfigLoader.load(file: configFile)
                LogRedaction.shared.include(config.secrets)
                reloads.offer(config)
                logger.notice("SIGHUP: re-read \(configFile); it applies from the next batch if every change can be made live")
            } catch {
                logger.error("SIGHUP: configuration \(configFile) refused, the running configuration stays: \(error)")
            }
        }
        source.resume()
        return source
    }
}

/// How many stop signals arrived.
final class SignalCount: Sendable {
    private let value = Atomic<Int>(0)
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
}

/// A flag set once from one thread and read from another.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

extension Duration {
    /// Whole nanoseconds, clamped to Int64.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}

extension EngineService: CustomStringConvertible {
    // ServiceLifecycle describes every service when the group is configured; without this,
    // that description reflected over the whole configuration (about 4 ms of every start)
    // and printed all of it in the debug log.
    var description: String { "EngineService(\(configFile))" }
}
