/// `HOST:PORT` for the HTTP endpoint (`[http] listen`); `[::1]:PORT` for IPv6; a port alone
/// means loopback (`127.0.0.1:PORT`), so the endpoint is reachable from other hosts only when
/// a host is written out.
public struct HTTPAddress: Sendable, Equatable {
    /// The host when `listen` names none, and of the default `listen`.
    public static let defaultHost = "127.0.0.1"
    /// `[http] listen` when the table leaves it out.
    public static let defaultListen = "127.0.0.1:9464"

    public var host: String
    public var port: Int

    public init?(_ text: String) {
        if let port = Int(text), (0...65_535).contains(port) {
            self.host = Self.defaultHost
            self.port = port
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
