import ArgumentParser
import Foundation
import Kafka
import Logging
import Tributary

/// `tributary checkpoint status`: where a pipeline stands, read without taking the lock.
struct CheckpointStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a checkpoint stands (safe while the pipeline runs).",
        discussion: """
            Reads the checkpoint without locking or changing it: the last committed batch, the \
            batch in flight, each Kafka partition's committed offset, the files taken and the \
            last progress report. With --config it also asks the brokers for the high watermarks \
            (lag; 2 s timeout, not for bootstrap_servers = "embedded") and lists the input files \
            still pending. Exit status 1 when the checkpoint is missing or damaged.
            """
    )

    @OptionGroup var location: CheckpointLocationOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// What the brokers said, when they were asked.
    enum Lag: Sendable {
        case notAsked(String)
        case watermarks([TopicPartition: Watermarks])
        case unreachable(String)
    }

    func run() async throws {
        let level = global.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            // librdkafka logs an unreachable broker as errors; the lag line already says so.
            handler.logLevel = label == "tributary.kafka" && level > .debug ? .critical : level
            return handler
        }
        let config = try location.loadConfig()
        let directory = config?.checkpointDir ?? location.checkpoint!
        let status: CheckpointStatus
        do {
            status = try CheckpointReader.status(directory: directory)
        } catch {
            ConsoleOutput.error("error: \(error)")
            throw ExitCode(1)
        }
        let lag = await Self.lag(config, status)
        var notes = status.notes
        var pending: [FileCandidate]?
        if let files = config?.files {
            do {
                pending = try PendingFiles.list(files, log: status.filesLog)
            } catch {
                notes.append("cannot list the input folder: \(error); check that it exists and is readable")
            }
        }
        let report = StatusReport(status: status, lag: lag, pending: pending, inputFolder: config?.files?.path, notes: notes, secrets: config?.secrets ?? [])
        if output.json {
            try ConsoleOutput.printJSON(report.json())
        } else {
            ConsoleOutput.print(report.text())
        }
    }

    /// Asks the brokers for the watermarks of the committed partitions, on a thread of its
    /// own (librdkafka blocks).
    static func lag(_ config: TributaryConfig?, _ status: CheckpointStatus) async -> Lag {
        guard let kafka = config?.kafka else {
            return .notAsked(config == nil ? "give --config to ask the brokers" : "no Kafka source")
        }
        guard !kafka.isEmbedded else { return .notAsked("bootstrap_servers = \"embedded\" exists only inside the running pipeline") }
        let partitions = status.committedOffsets.map { TopicPartition($0.topic, $0.partition) }
        guard !partitions.isEmpty else { return .notAsked("no Kafka offsets committed yet") }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                do throws(KafkaError) {
                    continuation.resume(returning: .watermarks(try KafkaWatermarkProbe.watermarks(source: kafka, partitions: partitions)))
                } catch {
                    continuation.resume(returning: .unreachable(error.message))
                }
            }
        }
    }
}
