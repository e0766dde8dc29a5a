import Foundation
import Glibc

/// Timing, CPU accounting, threads and small file chores for `tributary bench`.
enum BenchSupport {
    /// Runs `body` on a thread of its own (not the Swift concurrency pool) and resumes with
    /// its result: the engine and librdkafka calls block.
    static func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Seconds on a monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// User + system CPU seconds of this whole process so far (every thread).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }

    /// Wall seconds and process CPU seconds spent in `body`.
    static func measure<T>(_ body: () async throws -> T) async rethrows -> (value: T, wall: Double, cpu: Double) {
        let cpu = processCPUSeconds()
        let start = now()
        let value = try await body()
        return (value, now() - start, processCPUSeconds() - cpu)
    }

    static func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Records written by a file sink: the sum of `records` over its `_manifest/*.json`, and
    /// the lines actually found in the files the manifests list.
    static func countOutput(_ sinkPath: String) throws -> (manifest: Int, lines: Int) {
        let manifestFolder = sinkPath + "/_manifest"
        var manifest = 0
        var lines = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: manifestFolder) where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let data = try Data(contentsOf: URL(fileURLWithPath: manifestFolder + "/" + name))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let files = object["files"] as? [[String: Any]]
            else { throw BenchError("unreadable manifest \(manifestFolder)/\(name)") }
            for file in files {
                manifest += (file["records"] as? Int) ?? 0
                if let relative = file["path"] as? String { lines += try countLines(sinkPath + "/" + relative) }
            }
        }
        return (manifest, lines)
    }

    /// The number of newline bytes in the file at `path`, read in 4 MiB chunks.
    static func countLines(_ path: String) throws -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            guard count >= 0 else { throw BenchError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { return lines }
            for byte in UnsafeRawBufferPointer(rebasing: buffer[..<count]) where byte == 0x0A { lines += 1 }
        }
    }

    /// "1,234,567" for whole numbers.
    static func grouped(_ value: Double) -> String {
        let whole = Int(value.rounded())
        let digits = String(abs(whole))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (whole < 0 ? "-" : "") + out
    }

    /// `value` with `decimals` digits after the point.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
