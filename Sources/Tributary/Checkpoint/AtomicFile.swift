public import Foundation
import Glibc

/// Crash-safe replacement of whole files: after `write` returns, a crash leaves either the old or the new
/// content, never a mix, and the new content survives power loss.
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes`: writes a hidden temporary file in the same folder, fsyncs it,
    /// renames it over `path` and fsyncs the folder. On failure the temporary file is removed and the error
    /// names `path`, the system error and the folder to check.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        let folder = CheckpointFileSystem.parent(of: path)
        let temporary = temporaryPath(for: path, in: folder)
        try fill(temporary, with: bytes, mode: mode, for: path)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw CheckpointError.io(path, "rename \(temporary) over", code)
        }
        try CheckpointFileSystem.syncDirectory(folder, for: path)
    }

    /// Replaces the file at `path` with `data`; see `write(_:to:mode:)` for the guarantees.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        try write([UInt8](data), to: path, mode: mode)
    }

    /// Reads the whole file at `path`; a missing file throws a `CheckpointError` with code `.notFound`.
    public static func read(_ path: String) throws -> [UInt8] {
        try CheckpointFileSystem.readAll(path)
    }

    private static func temporaryPath(for path: String, in folder: String) -> String {
        let name = CheckpointFileSystem.baseName(of: path)
        let unique = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return CheckpointFileSystem.join(folder, ".\(name).\(getpid()).\(unique).tmp")
    }

    private static func fill(_ temporary: String, with bytes: [UInt8], mode: mode_t, for path: String) throws {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        try CheckpointFileSystem.check(descriptor, path, "create the temporary file \(temporary) for")
        do {
            // open() applies the umask; the caller asked for exactly `mode`.
            try CheckpointFileSystem.check(fchmod(descriptor, mode), path, "set the mode of \(temporary) for")
            try CheckpointFileSystem.writeAll(descriptor, bytes, path)
            try CheckpointFileSystem.check(fsync(descriptor), path, "sync \(temporary) for")
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        if close(descriptor) != 0 {
            let code = errno
            unlink(temporary)
            throw CheckpointError.io(path, "close \(temporary) for", code)
        }
    }
}
