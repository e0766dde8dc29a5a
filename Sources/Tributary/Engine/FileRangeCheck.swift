import Glibc

/// How a planned file range compares with the file at the moment it is read.
enum FileRangeCheck: Equatable {
    case asPlanned
    /// Size or mtime differ from the listing.
    case changed(size: Int64, mtimeNanos: Int64)
    /// The name now resolves outside the input folder.
    case escapes(target: String)

    /// Compares `range` with the file now. A missing file is left to the reader, which fails
    /// to open it and says so.
    static func compare(_ range: PlannedFileRange, folder: String?) -> FileRangeCheck {
        var info = stat()
        guard lstat(range.path, &info) == 0 else { return .asPlanned }
        if (info.st_mode & S_IFMT) == S_IFLNK, let folder {
            guard let target = FileListing.resolve(range.path) else { return .asPlanned }
            let inside = FileListing.resolve(folder) ?? folder
            if !target.hasPrefix(inside + "/") { return .escapes(target: target) }
            guard stat(range.path, &info) == 0 else { return .asPlanned }
        }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let size = Int64(info.st_size)
        return size == range.size && mtime == range.mtimeNanos ? .asPlanned : .changed(size: size, mtimeNanos: mtime)
    }
}
