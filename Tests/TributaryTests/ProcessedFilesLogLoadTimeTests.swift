@testable import Tributary
import Foundation
import Testing

@Suite struct ProcessedFilesLogLoadTimeTests {
    /// 1 000 000 files with TRIBUTARY_SLOW_TESTS=1, otherwise 50 000.
    static let fileCount = ProcessInfo.processInfo.environment["TRIBUTARY_SLOW_TESTS"] == "1" ? 1_000_000 : 50_000

    @Test func snapshotLoadTime() throws {
        try withScratchFolder { folder in
            let log = try ProcessedFilesLog(directory: folder)
            let clock = ContinuousClock()
            let appendTime = try clock.measure {
                for chunk in stride(from: 0, to: Self.fileCount, by: 100_000) {
                    try log.append((chunk..<min(chunk + 100_000, Self.fileCount)).map(Self.entry))
                }
            }
            let compactTime = try clock.measure { try log.compact() }
            var loaded: ProcessedFilesLog?
            let loadTime = try clock.measure { loaded = try ProcessedFilesLog(directory: folder) }
            let reloaded = try #require(loaded)
            let size = try FileManager.default.attributesOfItem(atPath: log.snapshotPath)[.size] as? Int ?? 0
            print("ProcessedFilesLog \(Self.fileCount) files: snapshot \(size / 1_000_000) MB, append \(appendTime), "
                + "compact \(compactTime), load \(loadTime)")
            #expect(reloaded.count == Self.fileCount)
            let last = Self.entry(Self.fileCount - 1)
            #expect(reloaded.state(of: last.path)?.batch == last.batch)
            #expect(loadTime < .seconds(5))
        }
    }

    static func entry(_ index: Int) -> TakenFile {
        let size = Int64(index % 7_919 + 1)
        return TakenFile(
            path: "/data/landing/2024/05/\(index % 31)/events-\(index).json", size: size,
            mtimeNanos: 1_715_000_000_000_000_000 + Int64(index), batch: Int64(index / 1000),
            rangeStart: 0, rangeEnd: size, complete: true
        )
    }
}
