import Foundation
import Glibc

/// Checks a loaded configuration against the machine it is about to run on: the folders it
/// writes exist and are writable (or can be created), the folders it reads are readable, and
/// an existing checkpoint is one this version can read. It only looks (stat, access, reading
/// `metadata`); it creates nothing and connects to nothing.
///
/// `ConfigLoader` has already checked the file itself; these are the problems that only show
/// on the target machine. Add further checks to `check(_:)`, each returning its problems with
/// the key path they concern, so that every problem is reported at once.
public enum PipelineValidator {
    /// Every problem found, in the order of the configuration's keys; empty when the pipeline
    /// can start.
    public static func check(_ config: TributaryConfig) -> [ConfigError.Problem] {
        var problems: [ConfigError.Problem] = []
        problems += writableFolder(config.checkpointDir, key: "checkpoint_dir")
        problems += checkpointFormat(config.checkpointDir)
        problems += writableFolder(config.deadLetterDir, key: "dead_letter_dir")
        if let kafka = config.kafka { problems += kafkaSource(kafka) }
        if let files = config.files { problems += fileSource(files) }
        problems += sinks(config.sinks)
        return problems
    }

    /// `key`'s folder at `path` must be a writable folder, or be creatable: its nearest
    /// existing ancestor must be a writable folder.
    public static func writableFolder(_ path: String, key: String) -> [ConfigError.Problem] {
        switch inspect(path) {
        case .folder:
            guard access(path, W_OK | X_OK) == 0 else {
                return [problem(key, "\(path) is not writable by uid \(geteuid()); fix its permissions or choose another folder")]
            }
            return []
        case .notFolder:
            return [problem(key, "\(path) exists but is not a folder; remove or rename it, or choose another path")]
        case .unreadable(let reason):
            return [problem(key, "cannot inspect \(path) (\(reason)); fix the permissions of its parent folders or choose another folder")]
        case .missing:
            return creatable(path, key: key)
        }
    }

    /// `key`'s folder at `path` must exist and be listable and readable.
    public static func readableFolder(_ path: String, key: String) -> [ConfigError.Problem] {
        switch inspect(path) {
        case .folder:
            guard access(path, R_OK | X_OK) == 0 else {
                return [problem(key, "\(path) is not readable by uid \(geteuid()); fix its permissions (it needs r and x) or choose another folder")]
            }
            return []
        case .notFolder:
            return [problem(key, "\(path) is not a folder; point it at the folder the files are dropped into")]
        case .unreadable(let reason):
            return [problem(key, "cannot inspect \(path) (\(reason)); fix the permissions of its parent folders")]
        case .missing:
            return [problem(key, "\(path) does not exist; create it (mkdir -p \(path)) or fix the path")]
        }
    }

    // MARK: - The checks

    private static func kafkaSource(_ kafka: KafkaSourceConfig) -> [ConfigError.Problem] {
        var problems: [ConfigError.Problem] = []
        for (index, file) in kafka.embeddedLoad.enumerated() where access(file, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            problems.append(problem("source.kafka.embedded.load[\(index)]", "cannot read \(file) (\(reason)); fix the path or its permissions"))
        }
        return problems
    }

    private static func fileSource(_ files: FileSourceConfig) -> [ConfigError.Problem] {
        var problems = readableFolder(files.path, key: "source.files.path")
        switch files.cleanSource {
        case .off:
            break
        case .delete, .archive:
            // Deleting or moving a file out of the folder needs write permission on the folder.
            if problems.isEmpty, access(files.path, W_OK | X_OK) != 0 {
                let mode = files.cleanSource == .delete ? "delete" : "archive"
                problems.append(problem("source.files.clean_source", "\"\(mode)\" needs write permission on \(files.path), which uid \(geteuid()) lacks; fix its permissions or set clean_source = \"off\""))
            }
        }
        if case .archive(let folder) = files.cleanSource {
            problems += writableFolder(folder, key: "source.files.archive_dir")
        }
        return problems
    }

    private static func sinks(_ sinks: [SinkConfig]) -> [ConfigError.Problem] {
        var problems: [ConfigError.Problem] = []
        for (index, sink) in sinks.enumerated() {
            guard case .files(let path, _) = sink.kind else { continue }
            // The short form [sink.files] is named "files"; [[sink]] entries are numbered.
            let key = sink.name == "files" ? "sink.files.path" : "sink[\(index)].path"
            problems += writableFolder(path, key: key)
        }
        return problems
    }

    /// An existing checkpoint must have a `metadata` this version reads; a missing one is
    /// created at the first start.
    private static func checkpointFormat(_ directory: String) -> [ConfigError.Problem] {
        let path = CheckpointFileSystem.join(directory, "metadata")
        guard (try? CheckpointFileSystem.exists(path)) == true else { return [] }
        do {
            _ = try CheckpointReader.metadata(at: path)
            return []
        } catch {
            return [problem("checkpoint_dir", "\(error)")]
        }
    }

    // MARK: - File system

    enum Kind: Equatable {
        case folder, notFolder, missing
        case unreadable(String)
    }

    static func inspect(_ path: String) -> Kind {
        var info = stat()
        if stat(path, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR ? .folder : .notFolder }
        let code = errno
        // ENOTDIR: a component of the path is a file; the nearest-ancestor walk reports it.
        if code == ENOENT || code == ENOTDIR { return .missing }
        return .unreadable(String(cString: strerror(code)))
    }

    /// A missing folder can be created when its nearest existing ancestor is a writable folder.
    private static func creatable(_ path: String, key: String) -> [ConfigError.Problem] {
        var ancestor = path
        while true {
            let parent = CheckpointFileSystem.parent(of: ancestor)
            if parent == ancestor { break }
            ancestor = parent
            switch inspect(ancestor) {
            case .missing:
                continue
            case .notFolder:
                return [problem(key, "\(path) cannot be created: \(ancestor) is a file, not a folder; choose another path or move that file")]
            case .unreadable(let reason):
                return [problem(key, "\(path) cannot be created: cannot inspect \(ancestor) (\(reason)); fix its permissions or choose another folder")]
            case .folder:
                guard access(ancestor, W_OK | X_OK) == 0 else {
                    return [problem(key, "\(path) cannot be created: \(ancestor) is not writable by uid \(geteuid()); create the folder with the right owner (mkdir -p \(path)) or choose another folder")]
                }
                return []
            }
        }
        return [problem(key, "\(path) cannot be created: no parent folder of it exists; use an absolute path")]
    }

    private static func problem(_ key: String, _ message: String) -> ConfigError.Problem {
        ConfigError.Problem(key: key, message: message)
    }
}
