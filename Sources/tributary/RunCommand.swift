import ArgumentParser
import Dispatch
import Foundation
import Logging
import Synchronization
import Tributary

/// `tributary run`: the pipeline.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: Kafka and files in, one schema, outputs, checkpointed.",
        discussion: """
            Runs micro-batches as the configuration's trigger says ("5s": every 5 seconds until \
            SIGINT/SIGTERM; "available-now": drain what exists, then exit; "once": one batch \
            without limits, then exit). On SIGINT or SIGTERM the batch in flight completes and \
            commits before the process exits with status 0.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The pipeline's TOML configuration file.", valueName: "path"))
    var config: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        global.bootstrapLogging()
        let logger = Logger(label: "tributary")
        let pipeline: TributaryConfig
        do {
            pipeline = try ConfigLoader.load(file: config)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        let stop = StopFlag()
        let signalTask = Task {
            guard let name = await ShutdownSignal.wait() else { return }
            logger.notice("\(name) received: finishing the batch in flight, then stopping")
            stop.set()
        }
        defer { signalTask.cancel() }
        let batches = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            // The engine blocks (file and librdkafka I/O): give it a thread of its own.
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let engine = try MicroBatchEngine(config: pipeline, logger: logger)
                    logger.info("pipeline started: checkpoint \(pipeline.checkpointDir), trigger \(pipeline.trigger)")
                    return try engine.run(shouldStop: { stop.isSet })
                })
            }
        }
        logger.info("stopped after \(batches) batch\(batches == 1 ? "" : "es")")
    }
}

/// A flag set once from the signal task and read by the engine thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
