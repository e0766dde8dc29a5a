import Foundation

/// The identity of a checkpoint folder, stored in `<checkpoint>/metadata`.
public struct CheckpointMetadata: Codable, Sendable, Hashable {
    /// The format version this code reads and writes.
    public static let currentVersion = 1

    /// A UUID chosen when the checkpoint was created.
    public var id: String
    /// When the checkpoint was created, RFC 3339.
    public var created: String
    /// The checkpoint format version.
    public var version: Int

    /// Creates metadata; `version` defaults to `currentVersion`.
    public init(id: String, created: String, version: Int = CheckpointMetadata.currentVersion) {
        self.id = id
        self.created = created
        self.version = version
    }

    static func loadOrCreate(at path: String) throws -> CheckpointMetadata {
        guard try CheckpointFileSystem.exists(path) else {
            let fresh = CheckpointMetadata(id: UUID().uuidString.lowercased(), created: Date().formatted(.iso8601))
            try AtomicFile.write(CheckpointJSON.encode(fresh, for: path), to: path)
            return fresh
        }
        let bytes = try AtomicFile.read(path)
        // Check the version first: a newer format may not decode as this one at all.
        let version = try CheckpointJSON.decode(bytes, as: VersionProbe.self, from: path).version
        guard version == currentVersion else { throw unsupported(version, path) }
        return try CheckpointJSON.decode(bytes, as: CheckpointMetadata.self, from: path)
    }

    private static func unsupported(_ version: Int, _ path: String) -> CheckpointError {
        CheckpointError(
            code: .unsupportedVersion,
            path: path,
            message: "checkpoint file \(path) has format version \(version) but this Tributary reads version "
                + "\(currentVersion); use the Tributary release that wrote it or another checkpoint_dir"
        )
    }

    private struct VersionProbe: Decodable {
        var version: Int
    }
}
