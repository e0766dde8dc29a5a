import Glibc

/// Temp files of atomic writes (`.<name>.<pid>.<random>.tmp`) that a killed process left
/// behind. Only the process holding the checkpoint lock writes these folders, so at start
/// every such file is stale and can go.
enum StaleTempFiles {
    /// Removes stale temp files in `folder` and its sub-folders, `depth` levels down.
    /// Returns how many were removed.
    @discardableResult
    static func sweep(_ folder: String, depth: Int = 2) -> Int {
        guard let directory = opendir(folder) else { return 0 }
        defer { closedir(directory) }
        var removed = 0
        var subfolders: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = "\(folder)/\(name)"
            if name.hasPrefix(".") && name.hasSuffix(".tmp") {
                if unlink(path) == 0 { removed += 1 }
            } else if depth > 0 && entry.pointee.d_type == UInt8(DT_DIR) {
                subfolders.append(path)
            }
        }
        for subfolder in subfolders { removed += sweep(subfolder, depth: depth - 1) }
        return removed
    }
}
