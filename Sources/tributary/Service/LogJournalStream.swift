import Foundation

/// systemd's `JOURNAL_STREAM` check: the variable holds `DEVICE:INODE` of the stream socket
/// connected to the journal, and it only counts when stderr is that very socket. A child
/// process inherits the variable even when its stderr goes elsewhere, so the value alone
/// does not prove anything (systemd.exec(5), "Environment variables in spawned processes").
enum LogJournalStream {
    /// Whether `value` (`"dev:ino"` in decimal) names the file open on `fd`.
    static func matches(_ value: String, fd: Int32) -> Bool {
        guard let expected = parse(value), let actual = identity(of: fd) else { return false }
        return expected == actual
    }

    /// `"dev:ino"` as numbers, or nil when it is not two decimal numbers.
    static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }

    /// The device and inode of the file open on `fd`, or nil when `fd` is closed.
    static func identity(of fd: Int32) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// `identity(of:)` in the `JOURNAL_STREAM` notation, e.g. `"64768:1234567"`.
    static func value(for fd: Int32) -> String? {
        identity(of: fd).map { "\($0.device):\($0.inode)" }
    }
}
