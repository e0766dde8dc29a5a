import Dispatch
import Foundation
import Logging
@testable import Tributary
@testable import tributary

/// An engine running on a thread of its own with its HTTP endpoint, wired as `tributary run`
/// wires them, for tests that watch `/healthz` while the engine works through a fault.
final class ServedEngine {
    /// The endpoint's port (the configuration listens on port 0).
    let port: Int
    /// What the engine reports (progress, health).
    let monitor = EngineMonitor()
    private var stopped = false
    private let serving: Task<Void, any Error>
    private let stopFlag = StopFlag()
    private let finished = DispatchSemaphore(value: 0)

    init(config: TributaryConfig) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let monitor = monitor
        guard let endpoint = HTTPEndpoint(config: config, monitor: monitor, metrics: PipelineMetrics(monitor: monitor, config: config)) else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "the configuration has no [http] listen address"])
        }
        serving = Task { try await endpoint.run() }
        let stop = stopFlag
        let finished = finished
        Thread.detachNewThread { [logger] in
            _ = try? MicroBatchEngine(config: config, logger: logger, monitor: monitor).run(shouldStop: { stop.isSet })
            finished.signal()
        }
        port = try await endpoint.boundPort()
    }

    /// Stops the engine at its next batch boundary, waits for it, and stops the endpoint; a
    /// second call does nothing.
    func stop() {
        guard !stopped else { return }
        stopped = true
        stopFlag.set()
        finished.wait()
        serving.cancel()
    }
}
