import ArgumentParser
import Foundation
import Kafka
import Tributary

/// `tributary bench`: measures the engine against its performance targets and prints the
/// figures. A measurement: it exits 0 whether or not the targets are met, non-zero only when
/// something fails (including output that does not match the input).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput, memory and planning cost against the performance targets.",
        discussion: """
            Generates hourly JSON-lines files (seeded, so every run writes the same bytes), then \
            measures: JSONSerialization's parse rate over them (baseline A); a MicroBatchEngine \
            over them with a filter, a set and a derived field (target 1: >= 5 x baseline A; \
            target 5: CPU utilisation >= 1.6); the Kafka layer alone over an embedded broker's \
            topic (baseline B) and the pipeline over the same topic (target 2: >= 0.5 x baseline \
            B), and that pipeline again with a Kafka sink instead of files (no target); the peak \
            RSS of `tributary run` as a child on one big file (target 3: <= 100 MiB \
            and within 10% of a file a quarter its size); planning one trigger with 100 000 vs \
            100 files in the files log (target 4: <= 2x). It also checks the cores the host gives \
            it (a [host] line) and says when a run is not comparable. Full run: about 80 s on 2 cores \
            and 3 GB of disk. --smoke runs tiny sizes and judges no target, for CI.
            """
    )

    @Option(help: ArgumentHelp("Folder for the data, checkpoints and outputs (default: a new temp folder, removed afterwards).", valueName: "dir"))
    var work: String?

    @Option(help: "Hourly input files (default 24; smoke 3).")
    var files: Int?

    @Option(name: .customLong("records-per-file"), help: "Records per file (default 100000; smoke 2000).")
    var recordsPerFile: Int?

    @Option(help: "Partitions of the Kafka topic (default 8; smoke 4).")
    var partitions: Int?

    @Option(name: .customLong("kafka-records"), help: "Records produced to the topic (default files x records, capped at about 4 MB per partition because the embedded broker keeps only about 5 MB per partition; smoke 2000 per partition).")
    var kafkaRecords: Int?

    @Option(name: .customLong("big-file-mb"), help: "Size in MiB of the file for the memory target; 0 skips it (default 1024; smoke 8).")
    var bigFileMB: Int?

    @Option(help: "Seed of the record generator.")
    var seed: UInt64 = 20_251_120

    @Flag(help: "Tiny sizes and no target judged, for CI.")
    var smoke = false

    @Flag(help: "Also print the results as one JSON object, on the last line of stdout.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for (name, value) in [("--files", files), ("--records-per-file", recordsPerFile), ("--partitions", partitions), ("--kafka-records", kafkaRecords)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if let bigFileMB, bigFileMB < 0 { throw ValidationError("--big-file-mb must be 0 (skip) or more") }
    }

    func run() async throws {
        // The engine's per-batch lines would bury the figures: warnings and worse only, unless asked.
        global.bootstrapLogging(configLevel: "warning")
        let started = BenchSupport.now()
        let settings = BenchSettings(
            smoke: smoke, files: files ?? (smoke ? 3 : 24), recordsPerFile: recordsPerFile ?? (smoke ? 2_000 : 100_000),
            partitions: partitions ?? (smoke ? 4 : 8), kafkaRecords: kafkaRecords, bigFileMB: bigFileMB ?? (smoke ? 8 : 1024), seed: seed)
        let temporary = work == nil
        let root = work.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tributary-bench-\(getpid())").path
        try BenchSupport.makeFolder(root)
        defer { if temporary { BenchSupport.remove(root) } }

        let report = BenchReport()
        report.machine = BenchReport.describeMachine()
        report.line("tributary bench\(smoke ? " --smoke (tiny sizes, no target judged)" : ""): \(report.machine["date"] ?? ""), "
            + "nproc \(report.machine["nproc"] ?? 0), \(report.machine["cpu_model"] ?? ""), work folder \(root)")
        var runner = BenchRunner(settings: settings, root: root, report: report)
        try await runner.runAll()
        let total = BenchSupport.now() - started
        report.printSummary(totalSeconds: total)
        if json { report.line(try report.json(totalSeconds: total)) }
    }
}

/// The sizes of one benchmark run.
struct BenchSettings {
    var smoke: Bool
    var files: Int
    var recordsPerFile: Int
    var partitions: Int
    /// Explicit `--kafka-records`, else nil (files x records, capped by the broker's limit).
    var kafkaRecords: Int?
    var bigFileMB: Int
    var seed: UInt64

    var fileRecords: Int { files * recordsPerFile }
}

/// Runs the steps in order, printing a line per figure.
struct BenchRunner {
    let settings: BenchSettings
    let root: String
    let report: BenchReport
    /// Filled by the data step.
    var data = BenchGenerated()
    var dataFiles: [String] = []
    var baselineA = 0.0

    init(settings: BenchSettings, root: String, report: BenchReport) {
        self.settings = settings
        self.root = root
        self.report = report
    }

    mutating func runAll() async throws {
        report.settings = [
            "smoke": settings.smoke, "files": settings.files, "records_per_file": settings.recordsPerFile,
            "partitions": settings.partitions, "big_file_mb": settings.bigFileMB, "seed": settings.seed,
        ]
        var cores: [(label: String, value: Double)] = []
        func checkHost(_ label: String, _ key: String) throws {
            let value = BenchHost.availableCores()
            cores.append((label, value))
            try report.figure("host_cores_\(key)", value)
        }
        try checkHost("at the start", "start")
        try await generateData()
        try await measureBaselineA()
        try await measureFilePath()
        try checkHost("before the Kafka path", "before_kafka")
        try await measureKafkaPath()
        try checkHost("after the Kafka path", "after_kafka")
        try await measureMemory()
        try await measurePlanning()
        try checkHost("at the end", "end")
        BenchSupport.remove(root + "/data")
        report.line("[host] two threads spinning for 0.3 s got " + cores.map { "\(BenchSupport.fixed($0.value, 2)) cores \($0.label)" }.joined(separator: ", "))
        if let note = BenchHost.unsteadyNote(cores) { report.notes.append(note) }
    }

    // MARK: 1. Data

    mutating func generateData() async throws {
        let folder = root + "/data"
        BenchSupport.remove(folder)
        try BenchSupport.makeFolder(folder)
        let settings = self.settings
        let paths = (0..<settings.files).map { hour in
            "\(folder)/results-2025-11-20T\(String(100 + hour % 24).dropFirst())-\(String(1000 + hour).dropFirst()).jsonl"
        }
        let start = BenchSupport.now()
        data = try await BenchSupport.onThread("bench-data") { () throws -> BenchGenerated in
            var generator = BenchRecordGenerator(seed: settings.seed)
            var total = BenchGenerated()
            for (hour, path) in paths.enumerated() {
                total = total + (try generator.writeFile(path, records: settings.recordsPerFile, date: "2025-11-20", hour: hour))
            }
            return total
        }
        let seconds = BenchSupport.now() - start
        dataFiles = paths
        report.count("data", "records", data.records)
        report.count("data", "bytes", data.bytes)
        report.count("data", "passing_filter", data.passing)
        try report.figure("data_write_s", seconds)
        report.line("[data] \(settings.files) files x \(BenchSupport.grouped(Double(settings.recordsPerFile))) records = "
            + "\(BenchSupport.grouped(Double(data.records))) records, \(BenchSupport.fixed(Double(data.bytes) / 1e6, 1)) MB "
            + "(\(BenchSupport.fixed(Double(data.bytes) / Double(data.records), 1)) bytes/record incl. newline), written in "
            + "\(BenchSupport.fixed(seconds, 2)) s (seed \(settings.seed)); \(BenchSupport.grouped(Double(data.passing))) pass the filter "
            + "`\(BenchRecordGenerator.filterExpression)`")
    }

    // MARK: 2. Baseline A

    mutating func measureBaselineA() async throws {
        let result = try await BenchBaseline.jsonSerialization(dataFiles)
        guard result.lines == data.records, result.objects == data.records else {
            throw BenchError("baseline A parsed \(result.objects) objects in \(result.lines) lines, expected \(data.records)")
        }
        baselineA = result.rate
        try report.figure("baseline_a_lines_per_s", result.rate)
        try report.figure("baseline_a_s", result.seconds)
        report.line("[baseline A] JSONSerialization.jsonObject per line (4 MiB reads, line split, parse only, 1 thread): "
            + "\(BenchSupport.grouped(Double(result.lines))) lines in \(BenchSupport.fixed(result.seconds, 2)) s = "
            + "\(BenchSupport.grouped(result.rate)) lines/s")
    }

    // MARK: 3. File path

    mutating func measureFilePath() async throws {
        let folder = root + "/file-run"
        BenchSupport.remove(folder)
        let config = try BenchPipeline.writeConfig(root: folder, source: .files(path: root + "/data", maxFiles: 4, maxBytes: nil), trigger: "available-now")
        let run = try await BenchPipeline.run(configPath: config)
        let output = try BenchSupport.countOutput(folder + "/output")
        try check("file path", run: run, read: data.records, written: data.passing, output: output)
        let rate = Double(run.read) / run.wall
        let megabytes = Double(run.fileBytes) / 1e6 / run.wall
        let utilisation = run.cpu / run.wall
        try report.figure("file_records_per_s", rate)
        try report.figure("file_mb_per_s", megabytes)
        try report.figure("file_wall_s", run.wall)
        try report.figure("file_cpu_s", run.cpu)
        try report.figure("file_cpu_utilisation", utilisation)
        record("file", run: run, output: output, generated: data.records, expected: data.passing)
        let ratio = rate / baselineA
        report.line("[file path] MicroBatchEngine, available-now, 4 files/trigger, filter + 2 sets, file sink: "
            + "\(BenchSupport.grouped(Double(run.read))) records in \(run.batches) batches, wall \(BenchSupport.fixed(run.wall, 2)) s: "
            + "\(BenchSupport.grouped(rate)) records/s, \(BenchSupport.fixed(megabytes, 1)) MB/s, "
            + "\(BenchSupport.fixed(ratio, 2)) x baseline A (target 1: >= 5 x = \(BenchSupport.grouped(5 * baselineA)) records/s); "
            + "CPU \(BenchSupport.fixed(run.cpu, 2)) s / wall = \(BenchSupport.fixed(utilisation, 2)) (target 5: >= 1.6); "
            + "output \(BenchSupport.grouped(Double(output.lines))) records = \(BenchSupport.grouped(Double(data.passing))) expected; "
            + "time per stage \(stageShares(run))")
        report.targets.append(.init(number: 1, name: "file path rate", measured: "\(BenchSupport.grouped(rate)) records/s = \(BenchSupport.fixed(ratio, 2)) x baseline A",
                                    required: ">= 5 x baseline A (\(BenchSupport.grouped(baselineA)) lines/s)", value: ratio, limit: 5, met: judge(ratio >= 5)))
        report.targets.append(.init(number: 5, name: "CPU utilisation", measured: BenchSupport.fixed(utilisation, 2) + " (user+sys / wall, file path)",
                                    required: ">= 1.6", value: utilisation, limit: 1.6, met: judge(utilisation >= 1.6)))
        BenchSupport.remove(folder)
    }

    // MARK: 4. Kafka path

    mutating func measureKafkaPath() async throws {
        let partitions = settings.partitions
        let perPartitionCap = BenchKafka.bytesPerPartitionLimit / max(1, (data.bytes + data.records - 1) / data.records) / 5000 * 5000
        let defaultRecords = settings.smoke ? partitions * 2_000 : min(settings.fileRecords, partitions * max(1000, perPartitionCap))
        let records = settings.kafkaRecords ?? defaultRecords
        if settings.kafkaRecords == nil && !settings.smoke && records < settings.fileRecords {
            report.notes.append("Kafka records capped at \(records) (\(partitions) partitions x \(records / partitions)): the embedded broker keeps only about 5 MB per partition")
        }
        let feed = try await BenchKafka.feed(topic: "bench", partitions: partitions, records: records, seed: settings.seed &+ 1)
        report.line("[kafka] embedded broker, topic of \(partitions) partitions, \(BenchSupport.grouped(Double(records))) records "
            + "(\(BenchSupport.fixed(Double(feed.generated.bytes) / 1e6, 1)) MB, about \(BenchSupport.fixed(Double(feed.generated.bytes) / Double(partitions) / 1e6, 2)) MB per partition) "
            + "produced before reading, in \(BenchSupport.fixed(feed.produceSeconds, 2)) s; every record still on the broker (low watermarks 0)")
        let maxOffsets = min(50_000, max(1, records / 4))
        var pipelineRuns: [BenchPipeline.Run] = []
        var baselineRuns: [BenchKafka.Read] = []
        // Five rounds of (pipeline, baseline B) over the same ranges; the medians are reported.
        let rounds = 5
        for round in 0..<rounds {
            let run = try await kafkaRound(feed, records: records, maxOffsets: maxOffsets, shape: .benchmark, round: round)
            pipelineRuns.append(run)
            // Baseline B reads exactly the ranges the pipeline's batches read, one read call per batch.
            let batches = run.reports.map { report in report.plan.kafka.filter { $0.start < $0.end }.map(\.range) }
            let read = try await BenchKafka.readOnly(bootstrap: feed.broker.bootstrapServers, batches: batches)
            guard read.records == records else { throw BenchError("baseline B read \(read.records) records, expected \(records)") }
            baselineRuns.append(read)
        }
        let pipeline = Self.median(pipelineRuns)
        let baseline = baselineRuns.sorted { $0.seconds < $1.seconds }[rounds / 2]
        let rate = Double(records) / pipeline.wall
        let ratio = rate / baseline.rate
        try report.figure("baseline_b_records_per_s", baseline.rate)
        try figures("kafka", rate: rate, run: pipeline)
        report.line("[baseline B] KafkaRangeReader.read over the pipeline's exact ranges (\(pipeline.batches) read calls), counting records, no decoding: "
            + "\(BenchSupport.grouped(Double(baseline.records))) records in \(BenchSupport.fixed(baseline.seconds, 3)) s = \(BenchSupport.grouped(baseline.rate)) records/s, "
            + "CPU \(BenchSupport.fixed(baseline.cpu / baseline.seconds, 2)) "
            + "(median of \(rounds): \(baselineRuns.map { BenchSupport.grouped($0.rate) }.joined(separator: ", ")))")
        report.line("[kafka path] MicroBatchEngine, Kafka source only, max_offsets_per_trigger \(maxOffsets), same schema and transforms: "
            + "\(BenchSupport.grouped(Double(records))) records in \(pipeline.batches) batches, wall \(BenchSupport.fixed(pipeline.wall, 3)) s = "
            + "\(BenchSupport.grouped(rate)) records/s = \(BenchSupport.fixed(ratio, 2)) x baseline B (target 2: >= 0.5 x) "
            + "(median of \(rounds): \(pipelineRuns.map { BenchSupport.grouped(Double(records) / $0.wall) }.joined(separator: ", "))); "
            + "the wall includes opening the engine (\(BenchSupport.fixed(pipeline.open, 3)) s) and closing it (\(BenchSupport.fixed(max(0, pipeline.wall - pipeline.open - pipeline.running), 3)) s); "
            + "the batches alone took \(BenchSupport.fixed(pipeline.running, 3)) s (\(BenchSupport.grouped(Double(records) / pipeline.running)) records/s); CPU \(BenchSupport.fixed(pipeline.cpu / pipeline.wall, 2)); "
            + "output \(BenchSupport.grouped(Double(feed.generated.passing))) records = expected; time per stage \(stageShares(pipeline))")
        report.targets.append(.init(number: 2, name: "Kafka path rate", measured: "\(BenchSupport.grouped(rate)) records/s = \(BenchSupport.fixed(ratio, 2)) x baseline B",
                                    required: ">= 0.5 x baseline B (\(BenchSupport.grouped(baseline.rate)) records/s)", value: ratio, limit: 0.5, met: judge(ratio >= 0.5)))
        try await measureKafkaFloor(feed, records: records, maxOffsets: maxOffsets, baseline: baseline.rate, pipelineRate: rate)
        try await measureKafkaSink(feed, records: records, maxOffsets: maxOffsets)
    }

    /// One run of the Kafka path's pipeline of `shape` over the whole topic, its accounting and
    /// output checked; the first round's counts are recorded (as `kafka` or `kafka_floor`).
    mutating func kafkaRound(_ feed: BenchKafka.Feed, records: Int, maxOffsets: Int, shape: BenchPipeline.Shape, round: Int) async throws -> BenchPipeline.Run {
        let group = shape == .benchmark ? "kafka" : "kafka_floor"
        let folder = root + "/\(group)-run-\(round)"
        BenchSupport.remove(folder)
        let config = try BenchPipeline.writeConfig(root: folder, source: .kafka(bootstrap: feed.broker.bootstrapServers, topic: feed.topic, maxOffsets: maxOffsets),
                                                   trigger: "available-now", shape: shape)
        let run = try await BenchPipeline.run(configPath: config)
        let output = try BenchSupport.countOutput(folder + "/output")
        try check(shape == .benchmark ? "Kafka path" : "Kafka floor", run: run, read: records, written: feed.generated.passing, output: output)
        if round == 0 { record(group, run: run, output: output, generated: records, expected: feed.generated.passing) }
        BenchSupport.remove(folder)
        return run
    }

    /// The Kafka path with the least per-record work (`BenchPipeline.Shape.floor`): how close
    /// to baseline B the engine's structure alone (reading into chunks, batches, checkpoints,
    /// writing files) comes. No target: it shows how much of target 2's gap is per-record work.
    mutating func measureKafkaFloor(_ feed: BenchKafka.Feed, records: Int, maxOffsets: Int, baseline: Double, pipelineRate: Double) async throws {
        let rounds = 5
        var runs: [BenchPipeline.Run] = []
        for round in 0..<rounds {
            runs.append(try await kafkaRound(feed, records: records, maxOffsets: maxOffsets, shape: .floor, round: round))
        }
        let median = Self.median(runs)
        let rate = Double(records) / median.wall
        try figures("kafka_floor", rate: rate, run: median)
        report.line("[kafka floor] the Kafka path with 2 fields (id, result) and only the filter, no target: "
            + "\(BenchSupport.grouped(Double(records))) records in \(median.batches) batches, wall \(BenchSupport.fixed(median.wall, 3)) s = "
            + "\(BenchSupport.grouped(rate)) records/s = \(BenchSupport.fixed(rate / baseline, 2)) x baseline B, "
            + "\(BenchSupport.fixed(rate / pipelineRate, 2)) x the Kafka path "
            + "(median of \(rounds): \(runs.map { BenchSupport.grouped(Double(records) / $0.wall) }.joined(separator: ", "))); "
            + "CPU \(BenchSupport.fixed(median.cpu / median.wall, 2)); output \(BenchSupport.grouped(Double(feed.generated.passing))) records = expected; "
            + "time per stage \(stageShares(median))")
    }

    /// The Kafka path again, writing to a Kafka sink (keyed by `id`) on the same broker instead
    /// of files. No target: it shows what producing costs. Each round writes a topic of its own,
    /// and the sum of its high watermarks must be the records written (the embedded broker may
    /// drop the oldest of them, but not from the count).
    mutating func measureKafkaSink(_ feed: BenchKafka.Feed, records: Int, maxOffsets: Int) async throws {
        var runs: [BenchPipeline.Run] = []
        let rounds = 3
        for round in 0..<rounds {
            let folder = root + "/kafka-sink-run-\(round)"
            BenchSupport.remove(folder)
            let topic = "bench-out-\(round)"
            try feed.broker.createTopic(topic, partitions: feed.partitions)
            let config = try BenchPipeline.writeConfig(root: folder, source: .kafka(bootstrap: feed.broker.bootstrapServers, topic: feed.topic, maxOffsets: maxOffsets),
                                                       trigger: "available-now", sink: .kafka(bootstrap: feed.broker.bootstrapServers, topic: topic))
            let run = try await BenchPipeline.run(configPath: config)
            let produced = try BenchKafka.produced(bootstrap: feed.broker.bootstrapServers, topic: topic, partitions: feed.partitions)
            try check("Kafka sink", run: run, read: records, written: feed.generated.passing, output: (produced, produced))
            if round == 0 { record("kafka_sink", run: run, output: (produced, produced), generated: records, expected: feed.generated.passing) }
            runs.append(run)
            BenchSupport.remove(folder)
        }
        let median = Self.median(runs)
        let rate = Double(median.written) / median.wall
        try figures("kafka_sink", rate: rate, run: median)
        report.line("[kafka sink] the Kafka path with a Kafka sink (key = id) on the same broker instead of the file sink, no target: "
            + "\(BenchSupport.grouped(Double(median.written))) records written in \(median.batches) batches, wall \(BenchSupport.fixed(median.wall, 3)) s = "
            + "\(BenchSupport.grouped(rate)) records/s written (median of \(rounds): \(runs.map { BenchSupport.grouped(Double($0.written) / $0.wall) }.joined(separator: ", "))); "
            + "CPU \(BenchSupport.fixed(median.cpu / median.wall, 2)); every record acknowledged (high watermarks = records written); "
            + "time per stage \(stageShares(median))")
    }

    // MARK: 5. Memory

    mutating func measureMemory() async throws {
        guard settings.bigFileMB > 0 else {
            report.line("[memory] skipped (--big-file-mb 0)")
            report.targets.append(.init(number: 3, name: "peak RSS", measured: "skipped", required: "<= 100 MiB, within 10% of a 1/4-size file", value: 0, limit: 100, met: nil))
            return
        }
        let big = try await memoryRun(megabytes: settings.bigFileMB, label: "big")
        let small = try await memoryRun(megabytes: max(1, settings.bigFileMB / 4), label: "small")
        let bigMiB = Double(big.peakKiB) / 1024
        let smallMiB = Double(small.peakKiB) / 1024
        let ratio = bigMiB / smallMiB
        try report.figure("memory_big_peak_mib", bigMiB)
        try report.figure("memory_small_peak_mib", smallMiB)
        try report.figure("memory_big_wall_s", big.wall)
        try report.figure("memory_small_wall_s", small.wall)
        let met = bigMiB <= 100 && ratio <= 1.10
        report.targets.append(.init(number: 3, name: "peak RSS", measured: "\(BenchSupport.fixed(bigMiB, 1)) MiB (\(settings.bigFileMB) MiB file), \(BenchSupport.fixed(smallMiB, 1)) MiB (\(max(1, settings.bigFileMB / 4)) MiB file), ratio \(BenchSupport.fixed(ratio, 2))",
                                    required: "<= 100 MiB and ratio <= 1.10", value: bigMiB, limit: 100, met: judge(met)))
    }

    /// One child `tributary run` over one generated file of `megabytes` MiB with
    /// `max_bytes_per_trigger = "64MB"`; its peak RSS from `wait4`.
    mutating func memoryRun(megabytes: Int, label: String) async throws -> BenchChild.Result {
        let folder = root + "/memory-\(label)"
        BenchSupport.remove(folder)
        let incoming = folder + "/incoming"
        try BenchSupport.makeFolder(incoming)
        let seed = settings.seed &+ UInt64(megabytes)
        let generated = try await BenchSupport.onThread("bench-data") { () throws -> BenchGenerated in
            var generator = BenchRecordGenerator(seed: seed)
            return try generator.writeFile(incoming + "/big-2025-11-21.jsonl", minimumBytes: megabytes << 20, date: "2025-11-21")
        }
        let config = try BenchPipeline.writeConfig(root: folder, source: .files(path: incoming, maxFiles: 1, maxBytes: "64MB"), trigger: "available-now")
        let result = try await BenchChild.run(["run", "--config", config, "--log-level", "warning"], logPath: folder + "/run.log")
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/run.log", encoding: .utf8)) ?? ""
            throw BenchError("tributary run over the \(megabytes) MiB file exited with status \(result.status):\n\(log.suffix(2000))")
        }
        let output = try BenchSupport.countOutput(folder + "/output")
        guard output.manifest == generated.passing, output.lines == generated.passing else {
            throw BenchError("memory run (\(megabytes) MiB): output has \(output.manifest) records in manifests and \(output.lines) lines, expected \(generated.passing)")
        }
        let batches = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoint/commits").filter { !$0.hasPrefix(".") }.count) ?? 0
        report.count("memory_\(label)", "generated", generated.records)
        report.count("memory_\(label)", "expected_written", generated.passing)
        report.count("memory_\(label)", "output_manifest", output.manifest)
        report.count("memory_\(label)", "output_lines", output.lines)
        report.count("memory_\(label)", "bytes", generated.bytes)
        report.count("memory_\(label)", "batches", batches)
        report.line("[memory] child `tributary run`, \(megabytes) MiB file (\(BenchSupport.grouped(Double(generated.records))) records), max_bytes_per_trigger 64MB, "
            + "\(batches) batches: peak RSS \(BenchSupport.fixed(Double(result.peakKiB) / 1024, 1)) MiB (VmHWM), "
            + "wall \(BenchSupport.fixed(result.wall, 2)) s, \(BenchSupport.grouped(Double(generated.records) / result.wall)) records/s, "
            + "CPU \(BenchSupport.fixed(result.cpu / result.wall, 2)); output \(BenchSupport.grouped(Double(output.lines))) records = expected")
        BenchSupport.remove(folder)
        return result
    }

    // MARK: 6. Planning

    mutating func measurePlanning() async throws {
        let largeLog = settings.smoke ? 10_000 : 100_000
        let newFiles = settings.smoke ? 100 : 1_000
        let triggers = settings.smoke ? 3 : 9
        let large = try await BenchPlanning.measure(root: root + "/planning-large", logEntries: largeLog, newFiles: newFiles, triggers: triggers, seed: settings.seed &+ 2)
        let small = try await BenchPlanning.measure(root: root + "/planning-small", logEntries: 100, newFiles: newFiles, triggers: triggers, seed: settings.seed &+ 2)
        let ratio = large.median / small.median
        try report.figure("plan_ms_large_log", large.median)
        try report.figure("plan_ms_small_log", small.median)
        try report.figure("open_ms_large_log", large.openMs)
        try report.figure("open_ms_small_log", small.openMs)
        for result in [large, small] {
            report.line("[planning] \(BenchSupport.grouped(Double(result.logEntries))) files in the log, \(result.newFiles) new files, max_files_per_trigger 1: "
                + "plan (durations_ms.plan) median \(BenchSupport.fixed(result.median, 2)) ms over \(result.planMs.count) triggers "
                + "[\(result.planMs.map { BenchSupport.fixed($0, 2) }.joined(separator: ", "))]; opening the engine (loads the log) \(BenchSupport.fixed(result.openMs, 1)) ms")
        }
        report.targets.append(.init(number: 4, name: "planning cost", measured: "\(BenchSupport.fixed(large.median, 2)) ms (\(BenchSupport.grouped(Double(largeLog))) in log) vs \(BenchSupport.fixed(small.median, 2)) ms (100), ratio \(BenchSupport.fixed(ratio, 2))",
                                    required: "<= 2 x time(100)", value: ratio, limit: 2, met: judge(ratio <= 2)))
    }

    // MARK: Helpers

    /// The run of median wall time (the middle one of an odd count).
    static func median(_ runs: [BenchPipeline.Run]) -> BenchPipeline.Run {
        runs.sorted { $0.wall < $1.wall }[runs.count / 2]
    }

    /// A pipeline's figures: `<prefix>_records_per_s`, `_wall_s` and `_cpu_utilisation`.
    func figures(_ prefix: String, rate: Double, run: BenchPipeline.Run) throws {
        try report.figure("\(prefix)_records_per_s", rate)
        try report.figure("\(prefix)_wall_s", run.wall)
        try report.figure("\(prefix)_cpu_utilisation", run.cpu / run.wall)
    }

    /// nil in smoke runs: no target is judged there.
    func judge(_ met: Bool) -> Bool? { settings.smoke ? nil : met }

    /// Checks a run's accounting and output against what was generated.
    func check(_ name: String, run: BenchPipeline.Run, read: Int, written: Int, output: (manifest: Int, lines: Int)) throws {
        guard run.read == read, run.written == written, run.filtered == read - written, run.deadLettered == 0,
            output.manifest == written, output.lines == written
        else {
            throw BenchError("\(name): read \(run.read), written \(run.written), filtered \(run.filtered), dead-lettered \(run.deadLettered), "
                + "output \(output.manifest) (manifests) / \(output.lines) (lines); expected read \(read), written \(written), filtered \(read - written)")
        }
    }

    func record(_ group: String, run: BenchPipeline.Run, output: (manifest: Int, lines: Int), generated: Int, expected: Int) {
        report.count(group, "generated", generated)
        report.count(group, "expected_written", expected)
        report.count(group, "read", run.read)
        report.count(group, "written", run.written)
        report.count(group, "filtered", run.filtered)
        report.count(group, "dead_lettered", run.deadLettered)
        report.count(group, "output_manifest", output.manifest)
        report.count(group, "output_lines", output.lines)
        report.count(group, "batches", run.batches)
    }

    /// The share of each stage in the batches' own durations, e.g. "read 61%, sink 9%, ...", and
    /// the workers' busy time. `read` is the wall time of the pipelined phase (reading,
    /// decoding, transforming and writing overlap); `transform` is the workers' busy time
    /// summed over cores, inside that phase, so it is reported apart.
    func stageShares(_ run: BenchPipeline.Run) -> String {
        let stages = ProgressReport.sequentialPhases
        var totals: [String: Double] = [:]
        var busy = 0.0
        for report in run.reports {
            for stage in stages { totals[stage, default: 0] += (report.durations[stage] ?? .zero).benchMilliseconds }
            busy += (report.durations["transform"] ?? .zero).benchMilliseconds
        }
        let sum = max(totals.values.reduce(0, +), 1e-9)
        return stages.map { "\($0) \(Int((100 * (totals[$0] ?? 0) / sum).rounded()))%" }.joined(separator: ", ")
            + " of \(BenchSupport.fixed(sum / 1000, 2)) s in batches; workers busy \(BenchSupport.fixed(busy / 1000, 2)) core-s"
    }
}
