import Foundation
import Synchronization

/// Writes whole lines to a file descriptor, one `write(2)` per line, so that lines logged
/// from several threads never interleave.
final class LogWriter: Sendable {
    /// The process's stderr.
    static let standardError = LogWriter(fd: STDERR_FILENO)

    private let fd: Int32
    // Only taken when a write comes back short (a full pipe, a long line): the rest must
    // follow before another thread's line starts.
    private let lock = Mutex(())

    /// A writer to `fd`, which stays owned by the caller.
    init(fd: Int32) {
        self.fd = fd
    }

    /// Writes `line` (which ends with a newline). Errors are ignored: there is nowhere left
    /// to report that logging failed, and the pipeline must not stop because of it.
    func write(_ line: String) {
        var line = line
        line.withUTF8 { buffer in
            lock.withLock { _ in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }
}
