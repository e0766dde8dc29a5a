import Foundation
import Glibc
import Testing

/// The status endpoint has no authentication, so unless a host is written out it listens on
/// loopback only: a real `tributary run` is asked for a port alone, and the kernel's socket
/// table must show its listening socket on 127.0.0.1, not on 0.0.0.0 or ::.
@Suite("HTTP endpoint binding", .timeLimit(.minutes(4)))
struct HTTPBindTests {
    /// The local addresses of the listening TCP sockets on `port`, from /proc/net/tcp and
    /// tcp6, as the kernel writes them (hex, e.g. "0100007F" for 127.0.0.1).
    func listeners(port: Int) -> [String] {
        let hexPort = String(format: "%04X", port)
        var found: [String] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let columns = line.split(separator: " ")
                // local_address is column 1 ("ADDR:PORT"), st is column 3 ("0A" = LISTEN).
                guard columns.count > 3, columns[3] == "0A" else { continue }
                let local = columns[1].split(separator: ":")
                if local.count == 2, local[1] == hexPort { found.append(String(local[0])) }
            }
        }
        return found
    }

    @Test("[http] with a port alone listens on 127.0.0.1 only")
    func loopbackByDefault() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-bind-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/pipeline.toml"
        try Data(TestPipeline.toml(trigger: "500ms", sources: TestPipeline.filesSource, sink: "[sink.files]\npath = \"output\"\n[http]\nlisten = \"0\"").utf8)
            .write(to: URL(fileURLWithPath: config))

        let run = try BackgroundRun(config: config, logs: root + "/run")
        let endpoint = try #require(run.httpEndpoint(), "no endpoint: \(run.standardError)")
        #expect(endpoint.host == "127.0.0.1")
        // It answers on loopback; on a loaded machine the first batch may still be under way,
        // so give health a moment to settle rather than asking once.
        var health = try ServiceHTTPClient.request("GET", "/healthz", port: endpoint.port)
        #expect(try eventually(within: .seconds(20)) {
            health = try ServiceHTTPClient.request("GET", "/healthz", port: endpoint.port)
            return health.status == 200
        }, "\(health.status) \(health.body)")
        #expect(listeners(port: endpoint.port) == ["0100007F"], "listening sockets on \(endpoint.port): \(listeners(port: endpoint.port))")
        #expect(run.stop() == 0)
    }

    @Test("a host written out is used as given: 0.0.0.0 listens on every interface")
    func explicitHost() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-bind-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/incoming", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/pipeline.toml"
        try Data(TestPipeline.toml(trigger: "500ms", sources: TestPipeline.filesSource, sink: "[sink.files]\npath = \"output\"\n[http]\nlisten = \"0.0.0.0:0\"").utf8)
            .write(to: URL(fileURLWithPath: config))

        let run = try BackgroundRun(config: config, logs: root + "/run")
        let endpoint = try #require(run.httpEndpoint(), "no endpoint: \(run.standardError)")
        #expect(endpoint.host == "0.0.0.0")
        #expect(listeners(port: endpoint.port) == ["00000000"])
        #expect(run.stop() == 0)
    }
}
