import Foundation
import Synchronization

/// How many cores the host gives this process right now: on a shared virtual machine the
/// second core comes and goes, and with it every rate and ratio of the benchmark.
enum BenchHost {
    /// A run whose checks fall below this is flagged: its figures are not comparable.
    static let steadyCores = 1.6

    /// Spins `threads` threads for `seconds` and returns the process CPU seconds they got per
    /// wall second: about `threads` on an idle host with that many cores, about 1 when the
    /// host lends only one.
    static func availableCores(threads: Int = 2, seconds: Double = 0.3) -> Double {
        let cpu = BenchSupport.processCPUSeconds()
        let start = BenchSupport.now()
        let done = Atomic<Int>(0)
        let checksum = Atomic<UInt64>(0)
        for _ in 0..<threads {
            let thread = Thread {
                var sum: UInt64 = 0
                while BenchSupport.now() - start < seconds {
                    for value in 0..<10_000 as Range<UInt64> { sum &+= value &* value }
                }
                // Stored so the loop is not optimised away.
                checksum.wrappingAdd(sum, ordering: .relaxed)
                done.add(1, ordering: .releasing)
            }
            thread.name = "bench-host-check"
            thread.start()
        }
        while done.load(ordering: .acquiring) < threads { usleep(1_000) }
        return (BenchSupport.processCPUSeconds() - cpu) / (BenchSupport.now() - start)
    }
}
