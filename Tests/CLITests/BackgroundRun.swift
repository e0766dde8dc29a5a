import Foundation
import Glibc

/// A `tributary run` child process whose stdout and stderr go to files, for tests that must
/// look at a pipeline while it runs (its HTTP endpoint, its logs) and then stop it with a
/// real signal.
final class BackgroundRun {
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    /// Starts `tributary run --config config` plus `arguments`, with `environment` added to
    /// the test's own; the logs go to `<logs>.stdout` and `<logs>.stderr`.
    init(config: String, arguments: [String] = [], environment: [String: String] = [:], logs: String) throws {
        stdoutPath = logs + ".stdout"
        stderrPath = logs + ".stderr"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.tributaryPath)
        process.arguments = ["run", "--config", config] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The port of "HTTP endpoint listening on HOST:PORT" (and the host), once logged, or nil
    /// after `within` or when the process ended first.
    func httpEndpoint(within: Duration = .seconds(20)) -> (host: String, port: Int)? {
        let deadline = ContinuousClock.now + within
        let marker = "HTTP endpoint listening on "
        while ContinuousClock.now < deadline {
            for line in standardError.split(separator: "\n") {
                guard let found = line.range(of: marker) else { continue }
                let address = line[found.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { continue }
                return (String(address[..<colon]), port)
            }
            if !process.isRunning { return nil }
            usleep(50_000)
        }
        return nil
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Waits until `condition` holds, checking every 100 ms; false after `within`.
func eventually(within: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(100_000)
    }
    return try condition()
}

/// Records in the committed output of a file sink at `folder`: every file its manifests list.
func committedOutput(_ folder: String) throws -> [[String: Any]] {
    let manifests = folder + "/_manifest"
    guard FileManager.default.fileExists(atPath: manifests) else { return [] }
    var rows: [[String: Any]] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: manifests) where !name.hasPrefix(".") {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(manifests)/\(name)"))) as! [String: Any]
        for file in manifest["files"] as! [[String: Any]] {
            let text = try String(contentsOfFile: "\(folder)/\(file["path"] as! String)", encoding: .utf8)
            for line in text.split(separator: "\n") {
                rows.append(try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])
            }
        }
    }
    return rows
}

/// Every regular file under `folder` (recursively), as full paths.
func filesUnder(_ folder: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
    var found: [String] = []
    while let relative = walker.nextObject() as? String {
        var isFolder: ObjCBool = false
        let path = folder + "/" + relative
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { found.append(path) }
    }
    return found
}
