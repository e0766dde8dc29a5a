import Foundation

/// A wall-clock instant with millisecond precision, as log lines show it.
struct LogTimestamp: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00Z.
    var seconds: Int
    /// 0...999.
    var milliseconds: Int

    /// The current time (CLOCK_REALTIME).
    static func now() -> LogTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return LogTimestamp(seconds: Int(time.tv_sec), milliseconds: Int(time.tv_nsec / 1_000_000))
    }

    /// `2026-11-21T20:13:35.123Z`: UTC, so that lines from machines in different zones sort.
    var iso8601: String {
        var t = time_t(seconds)
        var parts = tm()
        // gmtime_r, not DateFormatter: thread-safe without a lock and cheap per line.
        gmtime_r(&t, &parts)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(milliseconds, 3))Z"
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
