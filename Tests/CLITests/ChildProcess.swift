import Dispatch
import Foundation
import Synchronization

/// Finds and runs programs for end-to-end tests: the `tributary` binary built beside the
/// tests, and system tools such as kcat.
enum ChildProcess {
    /// The `tributary` executable: `$TRIBUTARY_BIN`, or the one in the test bundle's build folder.
    static var tributaryPath: String {
        if let path = ProcessInfo.processInfo.environment["TRIBUTARY_BIN"] { return path }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test binary sits in <bin>/TributaryPackageTests.xctest (a bundle folder on some
        // toolchains): walk up until the folder holds `tributary`.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("tributary").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return "tributary"
    }

    /// The full path of `tool` on PATH, or nil.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `executable` with `arguments`, stdout and stderr to pipes.
    static func start(_ executable: String, _ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    /// Runs `executable` to completion with `input` on stdin and `environment` added to the
    /// test's own; returns status, stdout, stderr.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read stderr on another thread while stdout is read here, so that a chatty child
        // cannot fill one pipe and stall.
        let errorData = Mutex(Data())
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            done.signal()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errorData.withLock { $0 }, as: UTF8.self))
    }

    /// Holds the `flock` of `path` in a child process, as another Tributary holding the
    /// checkpoint would, and returns once the lock is held (throws at once if it is taken);
    /// terminating the process releases it.
    /// The shell execs `sleep` with the locked descriptor, so no orphan keeps the lock.
    static func holdLock(_ path: String) throws -> Process {
        let (process, output, _) = try start("/bin/sh", ["-c", "exec 9>>\"$0\" && flock -n 9 && echo held && exec sleep 120", path])
        guard firstLine(of: output) == "held" else {
            process.terminate()
            throw CocoaError(.fileLocking, userInfo: [NSFilePathErrorKey: path])
        }
        return process
    }

    /// Reads the first line a child writes to `pipe` (blocking).
    static func firstLine(of pipe: Pipe) -> String {
        var bytes: [UInt8] = []
        let handle = pipe.fileHandleForReading
        while true {
            let chunk = handle.readData(ofLength: 1)
            guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
