/// Where the files log says a file stands.
public struct FileProgress: Sendable, Hashable {
    public var size: Int64
    public var mtimeNanos: Int64
    /// Bytes taken so far (the end of the last range taken).
    public var bytesTaken: Int64
    /// Lines taken so far.
    public var linesTaken: Int64
    /// True once the whole file has been taken.
    public var complete: Bool
}

/// One planned piece of a file: the lines starting in `[start, end)` (end nil: to the end).
public struct PlannedFileRange: Codable, Sendable, Hashable {
    public var path: String
    public var size: Int64
    public var mtimeNanos: Int64
    public var start: Int64
    public var end: Int64?
    /// The number of the range's first line.
    public var firstLine: Int64

    enum CodingKeys: String, CodingKey {
        case path, size, start, end
        case mtimeNanos = "mtime_ns"
        case firstLine = "first_line"
    }
}

/// Chooses the files (and pieces of files) of the next batch, under the per-trigger limits.
struct FilePlanner {
    let config: FileSourceConfig
    /// Ignore `max_files_per_trigger` / `max_bytes_per_trigger` (trigger = once).
    var unlimited = false

    /// What planning found besides the plan.
    struct Notes: Equatable {
        /// Files taken earlier whose size or mtime changed since: reported, not re-read.
        var changed: [String] = []
        /// Files passed over this time because they are too young or still growing.
        var unstable = 0
        /// Files left for later triggers.
        var pending = 0
    }

    /// Plans from `candidates` (one listing), given the files log and the sizes seen at the
    /// previous listing (for the stable-size check).
    func plan(
        _ candidates: [FileCandidate],
        progress: (String) -> FileProgress?,
        previousSizes: [String: Int64],
        nowNanos: Int64
    ) -> (ranges: [PlannedFileRange], notes: Notes) {
        var notes = Notes()
        var unfinished: [(FileCandidate, FileProgress)] = []
        var fresh: [FileCandidate] = []
        let minAge = config.minFileAge.nanoseconds
        let maxAge = config.maxFileAge?.nanoseconds
        for file in candidates {
            if let state = progress(file.path) {
                if state.size != file.size || state.mtimeNanos != file.mtimeNanos {
                    notes.changed.append(file.path)
                } else if !state.complete {
                    unfinished.append((file, state))
                }
                continue
            }
            if let maxAge, nowNanos - file.mtimeNanos > maxAge { continue }
            let seenBefore = previousSizes[file.path]
            // An mtime in the future (a clock that jumped back, a copy from a host whose
            // clock runs ahead) would keep a file "young" until the wall clock catches up:
            // such a file waits only until one listing has seen it at the same size.
            let inFuture = file.mtimeNanos > nowNanos
            let tooYoung = inFuture ? seenBefore == nil : nowNanos - file.mtimeNanos < minAge
            let growing = seenBefore.map { $0 != file.size } ?? false
            if tooYoung || growing {
                notes.unstable += 1
                continue
            }
            fresh.append(file)
        }
        // Finish files already split before starting new ones (in the configured order).
        let ordered = unfinished.sorted { order($0.0, $1.0) }.map { ($0.0, Optional($0.1)) }
            + fresh.sorted(by: order).map { ($0, FileProgress?.none) }
        var ranges: [PlannedFileRange] = []
        var bytesLeft = unlimited ? nil : config.maxBytesPerTrigger
        let maxFiles = unlimited ? nil : config.maxFilesPerTrigger
        for (file, state) in ordered {
            if let maxFiles, ranges.count >= maxFiles { break }
            let start = state?.bytesTaken ?? 0
            let firstLine = (state?.linesTaken ?? 0) + 1
            // A .gz file's size is its compressed size while its ranges count uncompressed
            // bytes: a whole one is charged its size on disk, and once split its remaining
            // length is unknown, so it continues in budget-sized pieces.
            let remaining = file.isGzip && start > 0 ? Int64.max : max(0, file.size - start)
            var end: Int64?
            if let budget = bytesLeft {
                if remaining <= budget {
                    bytesLeft = budget - min(remaining, budget)
                } else if ranges.isEmpty {
                    end = start + budget
                    bytesLeft = 0
                } else {
                    break
                }
            }
            ranges.append(PlannedFileRange(path: file.path, size: file.size, mtimeNanos: file.mtimeNanos, start: start, end: end, firstLine: firstLine))
            if bytesLeft == 0 { break }
        }
        notes.pending = ordered.count - ranges.count
        return (ranges, notes)
    }

    private func order(_ a: FileCandidate, _ b: FileCandidate) -> Bool {
        if a.mtimeNanos != b.mtimeNanos { return config.latestFirst ? a.mtimeNanos > b.mtimeNanos : a.mtimeNanos < b.mtimeNanos }
        return a.name < b.name
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at Int64's bounds (about 292 years) instead of trapping.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow || carry ? (seconds < 0 ? .min : .max) : total
    }
}
