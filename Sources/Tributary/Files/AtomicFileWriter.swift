import Glibc

/// Writes a large file atomically while streaming (`AtomicFile` writes small ones in one go): the data goes to a temp file in the same folder,
/// and `commit()` fsyncs it, renames it over the target and fsyncs the folder. Until then the
/// target is untouched; an abandoned writer removes its temp file.
final class AtomicFileWriter {
    let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20
    private let directThreshold = 64 << 10
    private(set) var bytesWritten: Int64 = 0

    init(path: String, mode: mode_t = 0o640) throws(FileIOError) {
        self.path = path
        let folder = AtomicFileWriter.folder(of: path)
        let name = String(path.split(separator: "/").last ?? "file")
        temporaryPath = "\(folder)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw FileIOError(path: temporaryPath, operation: "create", errno: errno) }
        // open() applies the umask; `file_mode` promises exactly `mode`.
        guard fchmod(descriptor, mode) == 0 else {
            let error = errno
            close(descriptor)
            unlink(temporaryPath)
            throw FileIOError(path: temporaryPath, operation: "set the mode of", errno: error)
        }
        buffer.reserveCapacity(flushThreshold + (1 << 16))
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends bytes (buffered; written in large chunks, a large piece directly).
    func write(_ bytes: [UInt8]) throws(FileIOError) {
        // Array.withUnsafeBytes rethrows untyped errors; a Result keeps this one's type.
        try bytes.withUnsafeBytes { bytes in Result { () throws(FileIOError) in try write(bytes) } }.get()
    }

    /// Appends bytes: a piece of `directThreshold` or more (a chunk's output) goes straight to
    /// the file, since copying it into the buffer first would only cost a copy; smaller ones
    /// are gathered into writes of about a MiB.
    func write(_ bytes: UnsafeRawBufferPointer) throws(FileIOError) {
        if bytes.count >= directThreshold {
            try flush()
            try writeOut(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    private func flush() throws(FileIOError) {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { bytes in Result { () throws(FileIOError) in try writeOut(bytes) } }.get()
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws(FileIOError) {
        let start = bytesWritten
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: temporaryPath, operation: "write", errno: errno)
            }
            offset += written
        }
        bytesWritten += Int64(bytes.count)
        // On Linux this starts writing these pages to disk now, without waiting, so the fsync
        // at `commit` finds most of the file written instead of flushing all of it at once.
        _ = posix_fadvise(descriptor, off_t(start), off_t(bytes.count), POSIX_FADV_DONTNEED)
    }

    /// Makes the file durable under its final name.
    func commit() throws(FileIOError) {
        try flush()
        guard fsync(descriptor) == 0 else { throw FileIOError(path: temporaryPath, operation: "fsync", errno: errno) }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            let error = errno
            unlink(temporaryPath)
            throw FileIOError(path: path, operation: "rename a temp file onto", errno: error)
        }
        try AtomicFileWriter.syncFolder(AtomicFileWriter.folder(of: path))
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// fsyncs a folder so that a rename in it survives a crash.
    static func syncFolder(_ folder: String) throws(FileIOError) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileIOError(path: folder, operation: "open folder", errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileIOError(path: folder, operation: "fsync folder", errno: errno) }
    }

    /// Creates `folder` and its parents (mode 0750) if missing. A folder created here gets
    /// exactly `mode` (whatever the umask); existing folders keep theirs.
    static func makeFolder(_ folder: String, mode: mode_t = 0o750) throws(FileIOError) {
        var current = folder.hasPrefix("/") ? "" : "."
        for part in folder.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) == 0 {
                guard chmod(current, mode) == 0 else { throw FileIOError(path: current, operation: "set the mode of folder", errno: errno) }
            } else if errno != EEXIST {
                throw FileIOError(path: current, operation: "create folder", errno: errno)
            }
        }
    }
}
