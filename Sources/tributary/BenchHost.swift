import Foundation
import Synchronization

/// How many cores the host gives this process right now: on a shared virtual machine the
/// second core comes and goes, and with it every rate and ratio of the benchmark.
enum BenchHost {
    /// A run whose checks fall below this is flagged: its figures are not comparable.
    static let steadyCores = 1.6

    /// The summary's note when any check (`label`, cores) fell below `steadyCores`, else nil.
    static func unsteadyNote(_ checks: [(label: String, value: Double)]) -> String? {
        let short = checks.filter { $0.value < steadyCores }
        guard !short.isEmpty else { return nil }
        return "the host gave fewer than \(BenchSupport.fixed(steadyCores, 1)) cores ("
            + short.map { "\(BenchSupport.fixed($0.value, 2)) \($0.label)" }.joined(separator: ", ")
            + "): rates and ratios of this run are not comparable with other runs; run it again when the host is quiet"
    }

    /// Spins `threads` threads for `seconds` and returns the CPU seconds they got per wall
    /// second: about `threads` on an idle host with that many cores, about 1 when the host
    /// lends only one. Each thread counts its own CPU time, so the rest of the process does
    /// not enter the figure.
    static func availableCores(threads: Int = 2, seconds: Double = 0.3) -> Double {
        let start = BenchSupport.now()
        let done = Atomic<Int>(0)
        let cpuNanoseconds = Atomic<Int>(0)
        let checksum = Atomic<UInt64>(0)
        for _ in 0..<threads {
            let thread = Thread {
                let cpu = threadCPUNanoseconds()
                var sum: UInt64 = 0
                while BenchSupport.now() - start < seconds {
                    for value in 0..<10_000 as Range<UInt64> { sum &+= value &* value }
                }
                // Stored so the loop is not optimised away.
                checksum.wrappingAdd(sum, ordering: .relaxed)
                cpuNanoseconds.add(threadCPUNanoseconds() - cpu, ordering: .relaxed)
                done.add(1, ordering: .releasing)
            }
            thread.name = "bench-host-check"
            thread.start()
        }
        while done.load(ordering: .acquiring) < threads { usleep(1_000) }
        return Double(cpuNanoseconds.load(ordering: .relaxed)) / 1e9 / (BenchSupport.now() - start)
    }

    /// CPU time of the calling thread.
    private static func threadCPUNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }
}
