import Foundation
import Testing

/// The systemd packaging: `config/tributary@.service` passes `systemd-analyze verify`, and
/// `scripts/install` stages everything under DESTDIR and is idempotent.
@Suite struct ServiceUnitTests {
    /// The package's root folder (this file is Tests/CLITests/ServiceUnitTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let analyze = "/usr/bin/systemd-analyze"

    /// A new empty temp folder.
    private func temporaryFolder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ServiceUnitTests.analyze), "systemd-analyze is not installed"))
    func unitPassesSystemdAnalyzeVerify() throws {
        let folder = try temporaryFolder("unit")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // An instance name instantiates the template; ExecStart must name an existing binary.
        let template = try String(contentsOfFile: Self.root + "/config/tributary@.service", encoding: .utf8)
        #expect(template.contains("ExecStart=/usr/local/bin/tributary run --config /etc/tributary/%i.toml"))
        let unit = folder + "/tributary@test.service"
        try template.replacingOccurrences(of: "/usr/local/bin/tributary", with: ChildProcess.tributaryPath)
            .write(toFile: unit, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(Self.analyze, ["verify", "--man=no", unit])
        let output = result.output + result.errors
        print("systemd-analyze verify (status \(result.status)):\n\(output.isEmpty ? "(no output)\n" : output)")
        #expect(result.status == 0)
        // Warnings do not change the status ("Unknown key ..., ignoring"): only complaints
        // about this machine (no tributary user, no credential file) are acceptable.
        let complaints = output.split(separator: "\n").filter { line in
            !(line.contains("tributary") && (line.localizedCaseInsensitiveContains("user") || line.localizedCaseInsensitiveContains("credential")))
        }
        #expect(complaints.isEmpty, "\(complaints)")
    }

    @Test func unitHasTheAgreedSettings() throws {
        let unit = try String(contentsOfFile: Self.root + "/config/tributary@.service", encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for setting in [
            "Type=notify", "NotifyAccess=main", "WatchdogSec=60", "Restart=on-failure", "RestartSec=5",
            "TimeoutStartSec=120", "TimeoutStopSec=45", "KillSignal=SIGTERM", "ExecReload=/bin/kill -HUP $MAINPID",
            "User=tributary", "Group=tributary", "StateDirectory=tributary/%i", "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/tributary/%i /srv/out /srv/incoming", "UMask=0027",
            "#LoadCredential=kafka-password:/etc/tributary/credentials/%i-kafka-password",
            "EnvironmentFile=-/etc/tributary/%i.env", "SyslogIdentifier=tributary-%i", "WantedBy=multi-user.target",
        ] {
            #expect(lines.contains(setting), "missing \(setting)")
        }
    }

    /// Runs scripts/install with `environment`; returns status and output.
    private func install(_ environment: [String: String]) throws -> (status: Int32, output: String, errors: String) {
        try ChildProcess.run("/bin/bash", [Self.root + "/scripts/install"], environment: environment)
    }

    /// Every path under `root` with its type, size, mode and modification time.
    private func snapshot(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        for case let relative as String in manager.enumerator(atPath: root)! {
            let attributes = try manager.attributesOfItem(atPath: root + "/" + relative)
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            entries[relative] = "\(attributes[.type]!) \(attributes[.size]!) \(attributes[.posixPermissions]!) \(modified)"
        }
        return entries
    }

    @Test func installStagesUnderDestdirAndASecondRunChangesNothing() throws {
        let destdir = try temporaryFolder("destdir")
        defer { try? FileManager.default.removeItem(atPath: destdir) }
        let environment = ["DESTDIR": destdir, "TRIBUTARY_SKIP_BUILD": "1", "TRIBUTARY_BIN": ChildProcess.tributaryPath, "PREFIX": "/usr/local"]
        let first = try install(environment)
        #expect(first.status == 0, "\(first.output)\(first.errors)")
        #expect(first.output.contains("systemctl enable --now tributary@visits"))

        let manager = FileManager.default
        let binary = destdir + "/usr/local/bin/tributary"
        #expect(manager.isExecutableFile(atPath: binary))
        #expect(manager.contentsEqual(atPath: binary, andPath: ChildProcess.tributaryPath))
        let unit = try String(contentsOfFile: destdir + "/etc/systemd/system/tributary@.service", encoding: .utf8)
        #expect(unit == (try String(contentsOfFile: Self.root + "/config/tributary@.service", encoding: .utf8)))
        let example = destdir + "/etc/tributary/visits.toml"
        #expect(manager.contentsEqual(atPath: example, andPath: Self.root + "/config/visits.toml"))
        for folder in ["/etc/tributary", "/etc/tributary/credentials", "/var/lib/tributary"] {
            var isFolder: ObjCBool = false
            #expect(manager.fileExists(atPath: destdir + folder, isDirectory: &isFolder) && isFolder.boolValue, "\(folder)")
        }
        #expect((try manager.attributesOfItem(atPath: destdir + "/etc/tributary/credentials")[.posixPermissions] as? Int) == 0o700)

        // The operator edits the example; a reinstall must keep the edit and touch nothing.
        try "# edited\n".write(toFile: example, atomically: false, encoding: .utf8)
        let before = try snapshot(destdir)
        let second = try install(environment)
        #expect(second.status == 0, "\(second.output)\(second.errors)")
        #expect(try snapshot(destdir) == before)
        #expect(try String(contentsOfFile: example, encoding: .utf8) == "# edited\n")
        #expect(!second.output.contains("installed "), "\(second.output)")
    }

    @Test func installPointsTheUnitAtPrefix() throws {
        let destdir = try temporaryFolder("prefix")
        defer { try? FileManager.default.removeItem(atPath: destdir) }
        let result = try install(["DESTDIR": destdir, "TRIBUTARY_SKIP_BUILD": "1", "TRIBUTARY_BIN": ChildProcess.tributaryPath, "PREFIX": "/opt/tributary"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(FileManager.default.isExecutableFile(atPath: destdir + "/opt/tributary/bin/tributary"))
        let unit = try String(contentsOfFile: destdir + "/etc/systemd/system/tributary@.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/tributary/bin/tributary run --config /etc/tributary/%i.toml"))
    }

    @Test func installWithoutABinaryToUseSaysWhatToSet() throws {
        let destdir = try temporaryFolder("nobin")
        defer { try? FileManager.default.removeItem(atPath: destdir) }
        let result = try install(["DESTDIR": destdir, "TRIBUTARY_SKIP_BUILD": "1", "TRIBUTARY_BIN": ""])
        #expect(result.status == 1)
        #expect(result.errors.contains("TRIBUTARY_BIN"))
    }
}
