import Glibc

/// A failed file operation: which file, which operation, the system's reason.
public struct FileIOError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String {
        let text = "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
        guard Self.writes.contains(operation) else { return text }
        // A failed write is nearly always a full disk, a size limit or permissions: say where to look.
        return text + "; check free space, file size limits (ulimit -f, LimitFSIZE=) and permissions of \(AtomicFileWriter.folder(of: path))"
    }

    private static let writes: Set<String> = ["create", "write", "fsync", "rename a temp file onto", "create folder", "fsync folder"]
}
