import Logging
import ServiceLifecycle
import Synchronization
import Tributary

/// Keeps systemd informed: `READY=1` once the engine is ready, a `STATUS=` line after each
/// batch, `WATCHDOG=1` at half the watchdog interval but only while the engine's loop is
/// alive (a wedged loop stops the pings, and systemd restarts the service), and
/// `STOPPING=1` when shutdown begins.
struct NotifyService: Service {
    let notifier: SystemdNotifier
    let monitor: EngineMonitor
    let logger: Logger

    init(notifier: SystemdNotifier, monitor: EngineMonitor, logger: Logger) {
        self.notifier = notifier
        self.monitor = monitor
        self.logger = logger
        // Events arrive on the engine's thread; a datagram per event is cheap.
        let started = ContinuousClock.now
        monitor.observe { [notifier] event in
            switch event {
            case .ready:
                notifier.send("READY=1\nSTATUS=ready; waiting for the first batch")
            case .committed(let report):
                notifier.send("STATUS=\(Self.status(report, since: started))")
            case .failing(let reason):
                notifier.send("STATUS=failing: \(reason.prefix(200))")
            case .recovered, .stopping:
                break
            }
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await pingWatchdog()
        } onGracefulShutdown: {
            notifier.send("STOPPING=1\nSTATUS=stopping: finishing the batch in flight")
        }
    }

    /// Pings at half the watchdog interval while the loop has been alive within the interval.
    private func pingWatchdog() async {
        guard let interval = notifier.watchdogInterval else {
            // Nothing to ping: wait for shutdown.
            try? await gracefulShutdown()
            return
        }
        let half = interval / 2
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let snapshot = monitor.snapshot
            if snapshot.ready && ContinuousClock.now - snapshot.aliveAt < interval {
                notifier.send("WATCHDOG=1")
            } else if snapshot.ready {
                logger.error("the engine loop has not moved for \(ContinuousClock.now - snapshot.aliveAt); not pinging the systemd watchdog")
            }
            try? await Task.sleep(for: half)
        }
    }

    /// `batch 12: 1200 rows in, 1180 written, 15 dead-lettered, 8000 rows/s, lag 42`.
    static func status(_ report: ProgressReport, since start: ContinuousClock.Instant) -> String {
        let total = report.total
        let seconds = report.wall
        let (whole, fraction) = seconds.components
        let elapsed = Double(whole) + Double(fraction) / 1e18
        let rate = elapsed > 0 ? Int(Double(total.read) / elapsed) : 0
        return "batch \(report.plan.batch): \(total.read) rows in, \(total.written) written, \(total.deadLettered) dead-lettered, \(rate) rows/s, lag \(report.lag)"
    }
}

extension NotifyService: CustomStringConvertible {
    // Short, so ServiceLifecycle's description of the group does not reflect over the monitor.
    var description: String { "NotifyService" }
}
