import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Tributary

/// `tributary run`: the pipeline, as a group of services (the engine, the systemd notifier,
/// the HTTP endpoint) that start together and stop together.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: Kafka and files in, one schema, outputs, checkpointed.",
        discussion: """
            Runs micro-batches as the configuration's trigger says ("5s": every 5 seconds until \
            stopped; "available-now": drain what exists, then exit; "once": one batch without \
            limits, then exit). SIGTERM or SIGINT stops it gracefully: no new batch starts, and \
            the batch in flight commits, or is abandoned before its commit after \
            shutdown_timeout and runs again at the next start; the exit status is 0. A second \
            signal stops at once, the same way. SIGHUP re-reads the configuration: the trigger, \
            limits, transforms and log level apply from the next batch; other changes are \
            refused and logged. Under systemd (Type=notify) it reports READY, STATUS, WATCHDOG \
            and STOPPING.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The pipeline's TOML configuration file.", valueName: "path"))
    var config: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        // Past a file size limit (`ulimit -f`, LimitFSIZE=) the kernel sends SIGXFSZ, which
        // kills the process before it can say which file; ignored, the write fails with
        // EFBIG and the batch fails with an error naming the path.
        signal(SIGXFSZ, SIG_IGN)
        let pipeline: TributaryConfig
        do {
            pipeline = try ConfigLoader.load(file: config)
        } catch let error as ConfigError {
            global.bootstrapLogging()
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        LogRedaction.shared.update(pipeline.secrets)
        global.bootstrapLogging(configLevel: pipeline.logLevel)
        let logger = Logger(label: "tributary")
        let monitor = EngineMonitor()
        let reloads = ReloadSlot()
        reloads.onApplied { [global] config in _ = global.reloadLogLevel(configLevel: config.logLevel) }
        let engine = EngineService(config: pipeline, configFile: config, monitor: monitor, reloads: reloads, logger: logger)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(
            service: engine, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)]
        if let notifier = SystemdNotifier.fromEnvironment() {
            services.append(.init(service: NotifyService(notifier: notifier, monitor: monitor, logger: logger)))
        }
        let metrics = PipelineMetrics(monitor: monitor, config: pipeline)
        if let http = HTTPEndpoint(config: pipeline, monitor: monitor, metrics: metrics) {
            // First, because the group stops services in reverse order: /healthz and /metrics
            // stay up while the engine drains.
            services.insert(.init(service: http, failureTerminationBehavior: .gracefullyShutdownGroup), at: 0)
        }
        var group = ServiceGroupConfiguration(services: services, logger: logger)
        // The first SIGTERM/SIGINT stops gracefully; the engine service counts them and
        // abandons the batch in flight on the second (ServiceLifecycle does not allow one
        // signal in both of its lists).
        group.gracefulShutdownSignals = [.sigterm, .sigint]
        group.maximumGracefulShutdownDuration = pipeline.shutdownTimeout + .seconds(10)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch let error as ExitCode {
            throw error
        } catch {
            // The command's last line is printed by ArgumentParser, outside the log handler.
            throw RedactedError(description: LogRedaction.shared.redact(String(describing: error)))
        }
    }
}

/// An error whose text has the configuration's secrets masked.
struct RedactedError: Error, CustomStringConvertible {
    let description: String
}
