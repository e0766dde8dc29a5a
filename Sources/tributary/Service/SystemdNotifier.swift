import Foundation
import Glibc

/// Speaks systemd's notification protocol (sd_notify(3)): datagrams like `READY=1` sent to the
/// unix socket named by `NOTIFY_SOCKET`. A path starting with `@` is in the abstract
/// namespace. Nothing is sent, and nothing fails, when the variable is unset.
struct SystemdNotifier: Sendable {
    let socketPath: String
    /// `WATCHDOG_USEC` when systemd's watchdog is on for this process.
    let watchdogInterval: Duration?

    /// The notifier systemd set up for this process, or nil when not run by systemd with
    /// `Type=notify`.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SystemdNotifier? {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        var watchdog: Duration?
        // WATCHDOG_PID, when set, names the process the watchdog is for.
        if let text = environment["WATCHDOG_USEC"], let micros = Int64(text), micros > 0,
           environment["WATCHDOG_PID"].map({ $0 == String(getpid()) }) ?? true {
            watchdog = .microseconds(micros)
        }
        return SystemdNotifier(socketPath: path, watchdogInterval: watchdog)
    }

    /// Sends `state` (newline-separated `KEY=value` assignments). Failures are returned, not
    /// thrown: a lost notification must not stop the pipeline.
    @discardableResult
    func send(_ state: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let payload = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                payload.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), address, length) }
            }
        }
        return sent == payload.count
    }
}
