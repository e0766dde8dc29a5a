import Glibc

/// POSIX helpers shared by the checkpoint types; every failure becomes a `CheckpointError` naming the path.
enum CheckpointFileSystem {
    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// Throws the `errno` of a failed call (result < 0); `action` is only built on failure.
    static func check(_ result: Int32, _ path: String, _ action: @autoclosure () -> String) throws {
        guard result < 0 else { return }
        let code = errno
        throw CheckpointError.io(path, action(), code)
    }

    static func exists(_ path: String) throws -> Bool {
        var info = stat()
        if stat(path, &info) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw CheckpointError.io(path, "inspect", code)
    }

    /// Creates `path` and missing parents, syncing each parent so the new entry survives a crash.
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        if try exists(path) { return }
        let parentPath = parent(of: path)
        if parentPath != path { try makeDirectory(parentPath, mode: mode) }
        if mkdir(path, mode) == 0 {
            // mkdir() applies the umask; checkpoint folders are exactly `mode`.
            try check(chmod(path, mode), path, "set the mode of the folder")
        } else {
            let code = errno
            if code != EEXIST { throw CheckpointError.io(path, "create the folder", code) }
        }
        try syncDirectory(parentPath, for: path)
    }

    static func syncDirectory(_ folder: String, for path: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try check(descriptor, path, "open the folder \(folder) to sync the entry of")
        defer { close(descriptor) }
        try check(fsync(descriptor), path, "sync the folder \(folder) holding")
    }

    static func removeFile(_ path: String) throws {
        guard unlink(path) != 0 else { return }
        let code = errno
        if code != ENOENT { throw CheckpointError.io(path, "remove", code) }
    }

    /// Names in `folder` except "." and "..", in no particular order.
    static func listNames(_ folder: String) throws -> [String] {
        guard let stream = opendir(folder) else {
            let code = errno
            throw CheckpointError.io(folder, "list the folder", code)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            // readdir signals errors only through errno, so clear it before every call.
            errno = 0
            guard let entry = readdir(stream) else { break }
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        try check(errno == 0 ? 0 : -1, folder, "list the folder")
        return names
    }

    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: &entry.pointee.d_name) { tuple in
            tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                String(cString: $0)
            }
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], _ path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    throw CheckpointError.io(path, "write", code)
                }
                offset += written
            }
        }
    }

    /// Reads the whole file; a missing file throws `.notFound`.
    static func readAll(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            throw code == ENOENT ? CheckpointError.missing(path) : CheckpointError.io(path, "open", code)
        }
        defer { close(descriptor) }
        var info = stat()
        try check(fstat(descriptor, &info), path, "inspect")
        return try readToEnd(descriptor, path, expectedSize: Int(info.st_size))
    }

    private static func readToEnd(_ descriptor: Int32, _ path: String, expectedSize: Int) throws -> [UInt8] {
        // One spare byte so that a file of the expected size ends with a single zero-length read.
        var buffer = [UInt8](repeating: 0, count: max(expectedSize, 0) + 1)
        var filled = 0
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: max(filled, 4096))) }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw CheckpointError.io(path, "read", code)
            }
            if count == 0 { break }
            filled += count
        }
        buffer.removeLast(buffer.count - filled)
        return buffer
    }
}
