@testable import Tributary
import Testing

private let second: Int64 = 1_000_000_000
/// "Now" for every plan: a fixed instant, so ages are exact.
private let now: Int64 = 1_700_000_000 * second

/// A file in /in of `size` bytes, modified `age` seconds before `now`.
private func candidate(_ name: String, size: Int64, age: Int64) -> FileCandidate {
    FileCandidate(path: "/in/" + name, name: name, size: size, mtimeNanos: now - age * second)
}

/// A config with no limits and no age checks, adjusted by `configure`.
private func fileConfig(_ configure: (inout FileSourceConfig) -> Void = { _ in }) -> FileSourceConfig {
    var config = FileSourceConfig(path: "/in")
    config.maxFilesPerTrigger = nil
    config.minFileAge = .zero
    config.maxFileAge = nil
    configure(&config)
    return config
}

private func whole(_ file: FileCandidate) -> PlannedFileRange {
    PlannedFileRange(path: file.path, size: file.size, mtimeNanos: file.mtimeNanos, start: 0, end: nil, firstLine: 1)
}

private func planFiles(
    _ config: FileSourceConfig,
    _ candidates: [FileCandidate],
    progress: [String: FileProgress] = [:],
    previousSizes: [String: Int64] = [:],
    unlimited: Bool = false
) -> (ranges: [PlannedFileRange], notes: FilePlanner.Notes) {
    FilePlanner(config: config, unlimited: unlimited).plan(candidates, progress: { progress[$0] }, previousSizes: previousSizes, nowNanos: now)
}

/// Files log state of `file`: `taken` bytes and `lines` lines taken.
private func taken(_ file: FileCandidate, bytes: Int64, lines: Int64, complete: Bool = false) -> FileProgress {
    FileProgress(size: file.size, mtimeNanos: file.mtimeNanos, bytesTaken: bytes, linesTaken: lines, complete: complete)
}

@Suite struct FilePlannerTests {
    private let b = candidate("b.json", size: 10, age: 100)
    private let a = candidate("a.json", size: 20, age: 100)
    private let c = candidate("c.json", size: 30, age: 500)
    private let d = candidate("d.json", size: 40, age: 10)

    @Test func oldestFirstWithTiesByName() {
        let (ranges, notes) = planFiles(fileConfig(), [b, d, a, c])
        #expect(ranges == [whole(c), whole(a), whole(b), whole(d)])
        #expect(notes == FilePlanner.Notes())
    }

    @Test func latestFirstWithTiesByName() {
        let (ranges, _) = planFiles(fileConfig { $0.latestFirst = true }, [b, c, a, d])
        #expect(ranges == [whole(d), whole(a), whole(b), whole(c)])
    }

    @Test func maxFilesPerTriggerLeavesTheRestPending() {
        let (ranges, notes) = planFiles(fileConfig { $0.maxFilesPerTrigger = 2 }, [d, b, a, c])
        #expect(ranges == [whole(c), whole(a)])
        #expect(notes.pending == 2)
        let (one, oneNotes) = planFiles(fileConfig { $0.maxFilesPerTrigger = 1 }, [d, b, a, c])
        #expect(one == [whole(c)])
        #expect(oneNotes.pending == 3)
    }

    @Test func maxBytesTakesWholeFilesWhileTheyFit() {
        // Oldest first: c (30), a (20), b (10), d (40).
        let (ranges, notes) = planFiles(fileConfig { $0.maxBytesPerTrigger = 75 }, [a, b, c, d])
        #expect(ranges == [whole(c), whole(a), whole(b)])
        #expect(notes.pending == 1)
        // d does not fit in the 15 bytes left, and is not split because others were taken.
        let (stop, stopNotes) = planFiles(fileConfig { $0.maxBytesPerTrigger = 55 }, [a, b, c, d])
        #expect(stop == [whole(c), whole(a)])
        #expect(stopNotes.pending == 2)
        // An exact fit uses the budget up: nothing more, not even an empty file.
        let empty = candidate("e.json", size: 0, age: 1)
        let (exact, exactNotes) = planFiles(fileConfig { $0.maxBytesPerTrigger = 50 }, [a, c, empty])
        #expect(exact == [whole(c), whole(a)])
        #expect(exactNotes.pending == 1)
    }

    @Test func aFileLargerThanTheBudgetIsSplitOnlyWhenNothingElseIsTaken() {
        let big = candidate("big.json", size: 250, age: 1_000)
        let small = candidate("small.json", size: 10, age: 2_000)
        let (alone, aloneNotes) = planFiles(fileConfig { $0.maxBytesPerTrigger = 100 }, [big])
        #expect(alone == [PlannedFileRange(path: big.path, size: 250, mtimeNanos: big.mtimeNanos, start: 0, end: 100, firstLine: 1)])
        #expect(aloneNotes.pending == 0)
        // The older small file goes first; the big one waits for a trigger of its own.
        let (both, bothNotes) = planFiles(fileConfig { $0.maxBytesPerTrigger = 100 }, [big, small])
        #expect(both == [whole(small)])
        #expect(bothNotes.pending == 1)
        // Newest first, the big file comes first and is split; the budget is then used up.
        let (newest, newestNotes) = planFiles(fileConfig { $0.maxBytesPerTrigger = 100; $0.latestFirst = true }, [big, small])
        #expect(newest == [PlannedFileRange(path: big.path, size: 250, mtimeNanos: big.mtimeNanos, start: 0, end: 100, firstLine: 1)])
        #expect(newestNotes.pending == 1)
    }

    @Test func partiallyTakenFilesComeFirstAndContinueWhereTheyStopped() {
        let big = candidate("big.json", size: 250, age: 10)
        let old = candidate("old.json", size: 10, age: 9_000)
        let config = fileConfig { $0.maxBytesPerTrigger = 100 }
        // 100 bytes (7 lines) taken: the next 100 bytes, numbered from line 8, before the older new file.
        let (middle, middleNotes) = planFiles(config, [old, big], progress: [big.path: taken(big, bytes: 100, lines: 7)])
        #expect(middle == [PlannedFileRange(path: big.path, size: 250, mtimeNanos: big.mtimeNanos, start: 100, end: 200, firstLine: 8)])
        #expect(middleNotes.pending == 1)
        #expect(middleNotes.changed.isEmpty)
        // 200 bytes (15 lines) taken: the last 50 bytes fit whole, and the old file after it.
        let (last, lastNotes) = planFiles(config, [old, big], progress: [big.path: taken(big, bytes: 200, lines: 15)])
        #expect(last == [PlannedFileRange(path: big.path, size: 250, mtimeNanos: big.mtimeNanos, start: 200, end: nil, firstLine: 16), whole(old)])
        #expect(lastNotes.pending == 0)
        // Without a byte budget the rest is taken in one range.
        let (rest, _) = planFiles(fileConfig { $0.maxFilesPerTrigger = 1 }, [old, big], progress: [big.path: taken(big, bytes: 100, lines: 7)])
        #expect(rest == [PlannedFileRange(path: big.path, size: 250, mtimeNanos: big.mtimeNanos, start: 100, end: nil, firstLine: 8)])
    }

    @Test func completedFilesAreNotPlannedAgain() {
        let (ranges, notes) = planFiles(fileConfig(), [a, b], progress: [a.path: taken(a, bytes: 20, lines: 3, complete: true)])
        #expect(ranges == [whole(b)])
        #expect(notes == FilePlanner.Notes())
    }

    @Test func takenFilesThatChangedAreReportedNotPlanned() {
        var grown = a
        grown.size = 21
        var touched = b
        touched.mtimeNanos += 1
        let progress = [
            a.path: taken(a, bytes: 20, lines: 3, complete: true),
            b.path: taken(b, bytes: 5, lines: 1),
        ]
        let (ranges, notes) = planFiles(fileConfig(), [grown, touched, c], progress: progress)
        #expect(ranges == [whole(c)])
        #expect(notes.changed == [a.path, b.path])
        #expect(notes.pending == 0)
        #expect(notes.unstable == 0)
    }

    @Test func youngOrGrowingFilesAreCountedUnstableAndSkipped() {
        let config = fileConfig { $0.minFileAge = .seconds(5) }
        let young = candidate("young.json", size: 5, age: 4)
        let justOldEnough = candidate("ripe.json", size: 5, age: 5)
        let growing = candidate("growing.json", size: 50, age: 60)
        let steady = candidate("steady.json", size: 70, age: 60)
        let unseen = candidate("unseen.json", size: 80, age: 61)
        let (ranges, notes) = planFiles(config, [young, justOldEnough, growing, steady, unseen],
                                        previousSizes: [growing.path: 40, steady.path: 70, young.path: 5])
        #expect(ranges == [whole(unseen), whole(steady), whole(justOldEnough)])
        #expect(notes.unstable == 2)
        #expect(notes.pending == 0)
        // Sub-second ages count: a file 4.999999999 s old is still too young.
        var almost = justOldEnough
        almost.mtimeNanos += 1
        #expect(planFiles(config, [almost]).notes.unstable == 1)
    }

    @Test func aFileWithAFutureMtimeWaitsForOneStableListingNotForTheClock() {
        let config = fileConfig { $0.minFileAge = .seconds(5) }
        // An hour ahead: the age rule alone would hold it back for an hour.
        let ahead = candidate("ahead.json", size: 9, age: -3_600)
        #expect(planFiles(config, [ahead]).notes.unstable == 1, "first seen: it may still be being written")
        #expect(planFiles(config, [ahead], previousSizes: [ahead.path: 9]).ranges == [whole(ahead)])
        #expect(planFiles(config, [ahead], previousSizes: [ahead.path: 4]).notes.unstable == 1, "still growing")
    }

    @Test func filesOlderThanMaxFileAgeAreIgnored() {
        let config = fileConfig { $0.maxFileAge = .seconds(3_600) }
        let stale = candidate("stale.json", size: 5, age: 3_601)
        let edge = candidate("edge.json", size: 5, age: 3_600)
        let (ranges, notes) = planFiles(config, [stale, edge, d])
        #expect(ranges == [whole(edge), whole(d)])
        #expect(notes == FilePlanner.Notes())
    }

    @Test func hugeAgeLimitsDoNotOverflow() {
        // 1 000 000 days is more nanoseconds than Int64 holds: it must mean "very old", not trap.
        let config = fileConfig {
            $0.maxFileAge = .seconds(86_400 * 1_000_000)
            $0.minFileAge = .zero
        }
        let ancient = FileCandidate(path: "/in/x.json", name: "x.json", size: 1, mtimeNanos: 0)
        #expect(planFiles(config, [ancient]).ranges == [whole(ancient)])
        let waitForever = fileConfig { $0.minFileAge = .seconds(86_400 * 1_000_000) }
        #expect(planFiles(waitForever, [ancient]).notes.unstable == 1)
    }

    @Test func unlimitedIgnoresFileAndByteLimits() {
        let config = fileConfig {
            $0.maxFilesPerTrigger = 1
            $0.maxBytesPerTrigger = 5
        }
        let (ranges, notes) = planFiles(config, [a, b, c, d], progress: [d.path: taken(d, bytes: 8, lines: 2)], unlimited: true)
        #expect(ranges == [
            PlannedFileRange(path: d.path, size: 40, mtimeNanos: d.mtimeNanos, start: 8, end: nil, firstLine: 3),
            whole(c), whole(a), whole(b),
        ])
        #expect(notes.pending == 0)
    }

    @Test func pendingCountsEveryPlannableFileLeftOver() {
        let config = fileConfig {
            $0.maxFilesPerTrigger = 1
            $0.minFileAge = .seconds(30)
        }
        // d is too young (unstable, not pending); a, b wait behind c.
        let (ranges, notes) = planFiles(config, [a, b, c, d])
        #expect(ranges == [whole(c)])
        #expect(notes.pending == 2)
        #expect(notes.unstable == 1)
    }
}
