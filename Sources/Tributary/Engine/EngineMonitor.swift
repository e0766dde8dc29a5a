import Synchronization

/// What the engine tells the outside: when it is ready, each committed batch, failures, and
/// a heartbeat while its loop is alive. The service layer (systemd notifications, the HTTP
/// endpoint, metrics) reads it; the engine never waits on it.
public final class EngineMonitor: Sendable {
    /// One thing that happened.
    public enum Event: Sendable {
        /// The checkpoint is locked and loaded and the sources are open.
        case ready
        /// A batch committed.
        case committed(ProgressReport)
        /// Something keeps failing (the broker is down, a batch cannot complete); the
        /// engine retries.
        case failing(String)
        /// A batch succeeded after failures.
        case recovered
        /// The loop is stopping.
        case stopping
    }

    /// How the engine is doing, as of now.
    public struct Snapshot: Sendable {
        public var ready = false
        public var startedAt = ContinuousClock.now
        /// The last time the loop did anything (planned, waited between triggers, retried).
        public var aliveAt = ContinuousClock.now
        /// Since when something keeps failing, and what (nil when all is well).
        public var failingSince: ContinuousClock.Instant?
        public var failure: String?
        public var lastReport: ProgressReport?
        /// The last report as its JSON line.
        public var lastReportJSON: [UInt8]?
        public var batchesCommitted = 0

        /// True when the loop stopped moving, or something has kept failing, for `stallTimeout`.
        public func isStalled(stallTimeout: Duration, now: ContinuousClock.Instant = .now) -> Bool {
            if now - aliveAt > stallTimeout { return true }
            if let failingSince, now - failingSince > stallTimeout { return true }
            return false
        }
    }

    private let state = Mutex(Snapshot())
    private let observers = Mutex<[@Sendable (Event) -> Void]>([])

    public init() {}

    /// The current state.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Calls `observer` for every later event, on the engine's thread: keep it short.
    public func observe(_ observer: @escaping @Sendable (Event) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func heartbeat() { state.withLock { $0.aliveAt = .now } }

    func ready() {
        state.withLock { $0.ready = true; $0.aliveAt = .now }
        emit(.ready)
    }

    /// A batch committed. `sourceStillFailing`: the batch was planned without a source that
    /// is unavailable (the broker is down, the input folder is gone), so the failure stands:
    /// files flowing must not hide a Kafka outage from `/healthz`.
    func committed(_ report: ProgressReport, json: [UInt8], sourceStillFailing: Bool = false) {
        let recovered = state.withLock { state in
            defer {
                state.lastReport = report
                state.lastReportJSON = json
                state.batchesCommitted += 1
                state.aliveAt = .now
                if !sourceStillFailing {
                    state.failingSince = nil
                    state.failure = nil
                }
            }
            return state.failingSince != nil && !sourceStillFailing
        }
        if recovered { emit(.recovered) }
        emit(.committed(report))
    }

    func failing(_ reason: String) {
        state.withLock { state in
            if state.failingSince == nil { state.failingSince = .now }
            state.failure = reason
            state.aliveAt = .now
        }
        emit(.failing(reason))
    }

    /// Kafka planning worked again (while files kept flowing).
    func healthy() {
        let wasFailing = state.withLock { state in
            defer { state.failingSince = nil; state.failure = nil }
            return state.failingSince != nil
        }
        if wasFailing { emit(.recovered) }
    }

    func stopping() { emit(.stopping) }

    private func emit(_ event: Event) {
        for observer in observers.withLock({ $0 }) { observer(event) }
    }
}
