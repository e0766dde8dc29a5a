import Foundation
import Testing
@testable import Tributary

/// The example configurations shipped in config/ must stay valid.
@Suite("Shipped example configurations")
struct ConfigExamplesTests {
    static let configFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config").path

    @Test("config/demo.toml loads (its input folder exists once the demo copies the samples)")
    func demo() throws {
        let text = try String(contentsOfFile: Self.configFolder + "/demo.toml", encoding: .utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("config"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("demo-run/incoming"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try ConfigLoader.parse(text, file: folder.appendingPathComponent("config/demo.toml").path)
        #expect(config.trigger == .availableNow)
        #expect(config.kafka?.isEmbedded == true)
        #expect(config.files?.maxBytesPerTrigger == 32_000)
        #expect(config.files?.path == folder.appendingPathComponent("demo-run/incoming").standardizedFileURL.path)
    }

    @Test("config/visits.toml: every key is known; only the host's folders and credential are missing here")
    func production() throws {
        let text = try String(contentsOfFile: Self.configFolder + "/visits.toml", encoding: .utf8)
        let error = #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.parse(text, file: "/etc/tributary/visits.toml", environment: [:])
        }
        let keys = Set(error?.problems.map(\.key) ?? [])
        #expect(keys == ["source.kafka.librdkafka.sasl.password", "source.files.path"])

        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: credentials) }
        try Data("s3cret\n".utf8).write(to: credentials.appendingPathComponent("kafka-password"))
        let withInput = text.replacingOccurrences(of: "/srv/incoming/visits", with: credentials.path)
        let config = try ConfigLoader.parse(withInput, file: "/etc/tributary/visits.toml", environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        #expect(config.kafka?.librdkafka["sasl.password"] == "s3cret")
        #expect(config.secrets == ["s3cret"])
        #expect(config.schema.catchAllField == 6)
        #expect(config.files?.cleanSource == .archive("/srv/archive/visits"))
        #expect(config.transforms.count == 4)
        #expect(config.sinks.map(\.name) == ["archive", "visits-de"])
    }
}
