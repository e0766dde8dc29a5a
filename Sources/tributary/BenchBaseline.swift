import Foundation
import Glibc

/// Baseline A: how fast Foundation's `JSONSerialization` merely parses the same lines, in
/// this process, on one thread.
enum BenchBaseline {
    struct Result: Sendable {
        var lines = 0
        var objects = 0
        var seconds = 0.0
        var rate: Double { Double(lines) / seconds }
    }

    /// Reads `files` in 4 MiB chunks, splits them into lines and parses each line with
    /// `JSONSerialization.jsonObject(with:)`, counting the objects. Nothing is kept.
    static func jsonSerialization(_ files: [String]) async throws -> Result {
        try await BenchSupport.onThread("bench-baseline-a") { () throws -> Result in
            var result = Result()
            let chunkSize = 4 << 20
            let start = BenchSupport.now()
            for path in files {
                let descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
                defer { close(descriptor) }
                var pending: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: chunkSize)
                func parse(_ line: ArraySlice<UInt8>) throws {
                    guard !line.isEmpty else { return }
                    result.lines += 1
                    if try JSONSerialization.jsonObject(with: Data(line)) is [String: Any] { result.objects += 1 }
                }
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
                    guard count >= 0 else { throw BenchError("cannot read \(path): \(String(cString: strerror(errno)))") }
                    if count == 0 { break }
                    pending.append(contentsOf: chunk[..<count])
                    var lineStart = pending.startIndex
                    while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                        try parse(pending[lineStart..<newline])
                        lineStart = newline + 1
                    }
                    pending.removeSubrange(..<lineStart)
                }
                try parse(pending[...])
            }
            result.seconds = BenchSupport.now() - start
            return result
        }
    }
}
