import NIOHTTP1
import Tributary

/// What the endpoint answers, as a plain function of the method, the path and the engine's
/// state: `/metrics`, `/healthz` and `/status`, GET only. Cheap enough to run on the event loop
/// (a lock-protected snapshot, and rendering a few dozen series).
struct HTTPRoutes: Sendable {
    let monitor: EngineMonitor
    let metrics: PipelineMetrics
    /// How long the loop may stop moving, or keep failing, before `/healthz` says 503.
    let stallTimeout: Duration

    /// The paths served, for the 404 hint.
    static let paths = ["/metrics", "/healthz", "/status"]
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The reply to `method` on `uri` (a query string is ignored).
    func reply(method: HTTPMethod, uri: String) -> HTTPReply {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard Self.paths.contains(path) else {
            return .text(.notFound, "no such path: \(path); try \(Self.paths.joined(separator: ", "))")
        }
        guard method == .GET else {
            return .text(.methodNotAllowed, "\(method.rawValue) is not allowed on \(path); use GET", headers: [("Allow", "GET")])
        }
        switch path {
        case "/metrics":
            return HTTPReply(status: .ok, contentType: Self.prometheusContentType, body: metrics.render())
        case "/healthz":
            if let problem = healthProblem() { return .text(.serviceUnavailable, problem) }
            return .text(.ok, "ok")
        default:
            return HTTPReply(status: .ok, contentType: "application/json", body: monitor.snapshot.lastReportJSON ?? Array("{}\n".utf8))
        }
    }

    /// Why the pipeline is not healthy, or nil when it is: ready, and neither stalled nor
    /// failing for longer than the stall timeout.
    func healthProblem(now: ContinuousClock.Instant = .now) -> String? {
        let snapshot = monitor.snapshot
        guard snapshot.ready else { return "not ready yet" }
        guard snapshot.isStalled(stallTimeout: stallTimeout, now: now) else { return nil }
        // A failure is the better explanation: failing() also counts as the loop moving.
        if let since = snapshot.failingSince, now - since > stallTimeout {
            return "failing since \(Self.seconds(now - since)) s: \(snapshot.failure ?? "unknown failure")"
        }
        return "loop stalled for \(Self.seconds(now - snapshot.aliveAt)) s"
    }

    /// Whole seconds from 10 s on; milliseconds below, where a short stall timeout lives.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds >= 10 { return String(seconds) }
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return "\(millis / 1000).\(String(millis % 1000 + 1000).dropFirst())"
    }
}
