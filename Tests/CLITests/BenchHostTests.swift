import Testing
@testable import tributary

/// The benchmark's check of the cores the host gives it, and the note that flags a run.
@Suite struct BenchHostTests {
    @Test("a run is flagged exactly when a check falls below 1.6 cores, naming each such check")
    func unsteadyNote() {
        #expect(BenchHost.unsteadyNote([("at the start", 1.98), ("at the end", 1.6)]) == nil)
        let note = BenchHost.unsteadyNote([("at the start", 1.97), ("after the Kafka path", 0.92), ("at the end", 1.51)])
        #expect(note == "the host gave fewer than 1.6 cores (0.92 after the Kafka path, 1.51 at the end): rates and ratios of this run are not comparable with other runs; run it again when the host is quiet")
    }

    @Test("spinning threads are counted by their own CPU time: at most one core each, and some of it")
    func spinningThreadsGetTheirCores() {
        // Each thread counts only its own CPU time, so tests running beside this one cannot
        // push the figure up; the lower bounds only say the threads ran (a host that takes a
        // core away is what the check exists to notice).
        let value = BenchHost.availableCores(threads: 2, seconds: 0.2)
        #expect(value > 0.5 && value <= 2.2, "\(value)")
        let one = BenchHost.availableCores(threads: 1, seconds: 0.2)
        #expect(one > 0.3 && one <= 1.2, "\(one)")
    }
}
