/// A failure of the checkpoint layer; `message` names the file concerned, what is wrong and what to do.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A checkpoint file does not contain what it should.
        case corrupt
        /// Another process (or another lock in this process) holds the checkpoint.
        case locked
        /// A system call failed.
        case io
        /// A file that was asked for does not exist.
        case notFound
        /// The checkpoint was written in a format version this code does not read.
        case unsupportedVersion
        /// A batch was written out of order, for example a commit without its offsets.
        case outOfOrder
        /// An argument was invalid, for example a negative batch id.
        case invalidArgument
    }

    /// The kind of failure.
    public let code: Code
    /// The file or folder concerned.
    public let path: String
    /// A complete sentence for the operator: what is wrong and what to do.
    public let message: String

    /// Creates an error; prefer messages that say what to do.
    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension CheckpointError {
    static func corrupt(_ path: String, _ reason: String) -> CheckpointError {
        CheckpointError(
            code: .corrupt,
            path: path,
            message: "checkpoint file \(path) is corrupt (\(reason)); restore it from a backup "
                + "or remove the checkpoint folder to start over (this reprocesses all input)"
        )
    }

    static func io(_ path: String, _ action: String, _ code: Int32) -> CheckpointError {
        let folder = CheckpointFileSystem.parent(of: path)
        let text = CheckpointFileSystem.errnoText(code)
        return CheckpointError(
            code: .io,
            path: path,
            message: "cannot \(action) \(path): \(text) (errno \(code)); "
                + "check free space and permissions of \(folder)"
        )
    }

    static func missing(_ path: String) -> CheckpointError {
        CheckpointError(code: .notFound, path: path, message: "checkpoint file \(path) does not exist")
    }

    static func invalid(_ path: String, _ message: String) -> CheckpointError {
        CheckpointError(code: .invalidArgument, path: path, message: message)
    }
}
