import Foundation
import Glibc

/// What `tributary bench` found: lines as it goes, then a summary table of the targets and,
/// with `--json`, one JSON object on the last line of stdout.
final class BenchReport {
    /// One performance target.
    struct Target {
        var number: Int
        var name: String
        /// The measured value, as printed.
        var measured: String
        /// What the target requires, as printed.
        var required: String
        /// The measured ratio or value the target compares, and its limit.
        var value: Double
        var limit: Double
        /// nil: not judged (smoke run, or skipped).
        var met: Bool?
    }

    var figures: [String: Double] = [:]
    var counts: [String: [String: Int]] = [:]
    var notes: [String] = []
    var targets: [Target] = []
    var machine: [String: Any] = [:]
    var settings: [String: Any] = [:]

    /// Prints one result line.
    func line(_ text: String) {
        ConsoleOutput.print(text)
    }

    /// Records a figure, which must be a positive number.
    func figure(_ name: String, _ value: Double) throws {
        guard value.isFinite, value > 0 else { throw BenchError("figure \(name) is \(value), not a positive number") }
        figures[name] = value
    }

    func count(_ group: String, _ name: String, _ value: Int) {
        counts[group, default: [:]][name] = value
    }

    /// The summary table.
    func printSummary(totalSeconds: Double) {
        var table = TextTable(["TARGET", "MEASURED", "REQUIRED", "MET"])
        for target in targets.sorted(by: { $0.number < $1.number }) {
            table.add(["\(target.number) \(target.name)", target.measured, target.required, target.met.map { $0 ? "yes" : "no" } ?? "not judged"])
        }
        line("")
        line("== Summary (\(BenchSupport.fixed(totalSeconds, 1)) s in all)")
        line(table.render())
        let judged = targets.compactMap(\.met)
        line("  \(judged.filter { $0 }.count) of \(judged.count) judged targets met")
        for note in notes { line("  note: \(note)") }
    }

    /// Everything as one JSON object.
    func json(totalSeconds: Double) throws -> String {
        let object: [String: Any] = [
            "machine": machine,
            "settings": settings,
            "figures": figures,
            "counts": counts,
            "notes": notes,
            "total_seconds": totalSeconds,
            "targets": targets.map { target -> [String: Any] in
                [
                    "target": target.number, "name": target.name, "measured": target.measured, "required": target.required,
                    "value": target.value, "limit": target.limit, "met": target.met.map { $0 as Any } ?? NSNull(),
                ]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The machine: processors online, CPU model, memory, date.
    static func describeMachine() -> [String: Any] {
        var model = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let formatter = ISO8601DateFormatter()
        return [
            "nproc": sysconf(Int32(_SC_NPROCESSORS_ONLN)),
            "cpu_model": model,
            "memory_gib": Double(sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))) / Double(1 << 30),
            "date": formatter.string(from: Date()),
        ]
    }
}
