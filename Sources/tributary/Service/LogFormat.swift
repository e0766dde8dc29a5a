import ArgumentParser
import Foundation

/// How log lines are written to stderr (`--log-format`).
enum LogFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// `journal` when stderr is the journal stream systemd gave this process, else `text`.
    case auto
    /// `2026-11-21T20:13:35.123Z notice tributary: message key=value`, for people.
    case text
    /// `<5>tributary: message key=value`: the journal adds the time and reads the priority.
    case journal
    /// One JSON object per line, for log shippers.
    case json

    /// The concrete format for this process: `auto` becomes `journal` or `text`, and `why`
    /// says which rule decided (it goes into a debug line, to answer "why no timestamps?").
    static func resolve(_ requested: LogFormat, environment: [String: String], stderr fd: Int32) -> (format: LogFormat, why: String) {
        guard requested == .auto else { return (requested, "--log-format \(requested.rawValue)") }
        guard let stream = environment["JOURNAL_STREAM"] else { return (.text, "auto: JOURNAL_STREAM is not set") }
        if LogJournalStream.matches(stream, fd: fd) {
            return (.journal, "auto: JOURNAL_STREAM matches stderr")
        }
        // Inherited from a service that started us with stderr on something else (a pipe,
        // a file): the journal is not listening there.
        return (.text, "auto: JOURNAL_STREAM is set but stderr is not that stream")
    }
}
