import Glibc

/// Runs `tributary` itself as a child process and reports its peak resident set size: the
/// `VmHWM` of `/proc/<pid>/status`, polled every 5 ms while it runs.
///
/// Not `wait4`'s `ru_maxrss`: when a process execs, Linux folds the high-water mark of the
/// address space it leaves into the process's `maxrss`, and a child started with
/// `posix_spawn` (vfork) leaves the parent's address space, so `ru_maxrss` reports at least
/// the benchmark's own peak. `VmHWM` belongs to the new address space alone.
enum BenchChild {
    struct Result: Sendable {
        var status: Int32
        /// Peak resident set size, KiB.
        var peakKiB: Int
        var wall: Double
        /// User + system CPU seconds of the child.
        var cpu: Double
    }

    /// `VmHWM` of process `pid` in KiB, nil once it has exited.
    static func highWaterMarkKiB(_ pid: pid_t) -> Int? {
        let descriptor = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst(6).filter(\.isNumber))
    }

    /// This executable's path.
    static func selfPath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs this executable with `arguments`, stdout and stderr appended to `logPath`, and
    /// waits for it.
    static func run(_ arguments: [String], logPath: String) async throws -> Result {
        let executable = selfPath()
        return try await BenchSupport.onThread("bench-child") { () throws -> Result in
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid: pid_t = 0
            let start = BenchSupport.now()
            let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
            guard spawned == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))") }
            // Poll the child's VmHWM (its address space's high-water mark) until it exits.
            var status: Int32 = 0
            var usage = rusage()
            var peakKiB = 0
            while true {
                let reaped = wait4(pid, &status, WNOHANG, &usage)
                if reaped == pid { break }
                guard reaped == 0 || errno == EINTR else { throw BenchError("waiting for child \(pid): \(String(cString: strerror(errno)))") }
                if let hwm = highWaterMarkKiB(pid) { peakKiB = max(peakKiB, hwm) }
                usleep(5_000)
            }
            guard peakKiB > 0 else { throw BenchError("could not read the peak RSS of child \(pid) from /proc/\(pid)/status") }
            let wall = BenchSupport.now() - start
            // WIFEXITED / WEXITSTATUS, spelled out (the macros are not imported).
            let exited = status & 0x7f == 0
            let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return Result(status: code, peakKiB: peakKiB, wall: wall,
                          cpu: BenchSupport.seconds(usage.ru_utime) + BenchSupport.seconds(usage.ru_stime))
        }
    }
}
