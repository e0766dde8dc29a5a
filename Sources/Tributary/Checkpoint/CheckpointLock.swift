import Foundation
import Glibc
import Synchronization

/// Exclusive ownership of a checkpoint folder, held with `flock` on `<directory>/lock` for as long as this object
/// lives (or until `release()`). The lock file records the holder's pid, start time and host for error messages.
///
/// flock locks belong to the open file description, so a second `acquire` fails even within the same process.
public final class CheckpointLock: Sendable {
    /// The lock file, `<directory>/lock`.
    public let path: String
    /// The checkpoint folder this lock guards.
    public let directory: String
    private let descriptor: Mutex<Int32>

    private init(directory: String, path: String, descriptor: Int32) {
        self.directory = directory
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock of the checkpoint at `directory` (creating the folder if needed) without waiting.
    /// Throws `.locked`, naming the holder's pid, when another lock is held.
    public static func acquire(directory: String) throws -> CheckpointLock {
        try CheckpointFileSystem.makeDirectory(directory)
        let path = CheckpointFileSystem.join(directory, "lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try CheckpointFileSystem.check(descriptor, path, "open the lock file")
        do {
            // Like every checkpoint file: the owner's only, whatever the umask.
            try CheckpointFileSystem.check(fchmod(descriptor, 0o600), path, "set the mode of the lock file")
            try lockExclusively(descriptor, directory: directory, path: path)
            try recordHolder(descriptor, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        return CheckpointLock(directory: directory, path: path, descriptor: descriptor)
    }

    /// Unlocks and closes the lock file; calling it again does nothing. The file itself stays.
    public func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { descriptor.withLock { $0 >= 0 } }

    deinit { release() }

    private static func lockExclusively(_ descriptor: Int32, directory: String, path: String) throws {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK { throw lockedError(descriptor, directory: directory, path: path) }
            throw CheckpointError.io(path, "lock", code)
        }
    }

    private static func lockedError(_ descriptor: Int32, directory: String, path: String) -> CheckpointError {
        let holder = try? JSONDecoder().decode(Holder.self, from: Data(readHolderBytes(descriptor)))
        // The holder may be between truncating and rewriting the file; say so rather than guess.
        let who = holder.map { "pid \($0.pid), since \($0.started)" } ?? "pid unknown"
        return CheckpointError(
            code: .locked,
            path: path,
            message: "checkpoint \(directory) is in use by another Tributary process (\(who)); "
                + "stop it first or use another checkpoint_dir"
        )
    }

    private static func readHolderBytes(_ descriptor: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return Array(buffer.prefix(max(count, 0)))
    }

    private static func recordHolder(_ descriptor: Int32, path: String) throws {
        let holder = Holder(pid: getpid(), started: Date().formatted(.iso8601), host: hostName())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = [UInt8](try encoder.encode(holder))
        bytes.append(UInt8(ascii: "\n"))
        try CheckpointFileSystem.check(ftruncate(descriptor, 0), path, "truncate")
        try CheckpointFileSystem.writeAll(descriptor, bytes, path)
        try CheckpointFileSystem.check(fsync(descriptor), path, "sync")
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private struct Holder: Codable {
        var pid: Int32
        var started: String
        var host: String
    }
}
