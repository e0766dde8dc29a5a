import Kafka
import Prometheus
import Tributary

/// The pipeline's Prometheus metrics: counters and gauges fed by the engine's monitor events,
/// plus the gauges that only make sense at scrape time (uptime, ready, failing), rendered in
/// the text exposition format 0.0.4 for `/metrics`.
///
/// Each instance has a registry of its own (the global `MetricsSystem` is not bootstrapped),
/// so several pipelines or tests can keep separate metrics in one process. Counters start at
/// zero with the process, as Prometheus expects; they do not replay the checkpoint's history.
final class PipelineMetrics: Sendable {
    /// Where the metrics live; `render()` emits it.
    let registry: PrometheusCollectorRegistry
    private let monitor: EngineMonitor

    /// Upper bounds of the batch duration buckets, in seconds.
    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Registers every metric in a new registry (or `registry`) and starts observing
    /// `monitor`. Create it before the engine runs: events before that are not seen.
    init(monitor: EngineMonitor, config: TributaryConfig, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.monitor = monitor
        self.registry = registry
        // Every series that can be known before the first batch is created now, at zero, so
        // that a dashboard sees 0 rather than nothing. "replay" appears with its first batch
        // (replays run in their own process), and tributary_last_committed_batch with the
        // first commit: 0 would claim that batch 0 committed.
        var sources: [String] = []
        if config.kafka != nil { sources.append("kafka") }
        if config.files != nil { sources.append("files") }
        for source in sources { _ = rowCounters(source) }
        for sink in config.sinks { _ = sinkRowsWritten(sink.name) }
        _ = rowsUnrouted
        _ = batchDuration
        _ = batchesCommitted
        _ = failuresTotal
        updateScrapeTimeGauges()
        // Weak: the monitor keeps its observers for its whole life.
        monitor.observe { [weak self] event in self?.record(event) }
    }

    /// The exposition text of every metric, with the scrape-time gauges brought up to date.
    func render() -> [UInt8] {
        updateScrapeTimeGauges()
        return registry.emitToBuffer()
    }

    /// Called on the engine's thread for each event: a few atomic increments and, per batch,
    /// one registry lookup per series (the registry returns the existing collector).
    private func record(_ event: EngineMonitor.Event) {
        switch event {
        case .committed(let report):
            for (source, counts) in report.counts {
                let counters = rowCounters(source)
                counters.read.increment(by: Int64(counts.read))
                counters.written.increment(by: Int64(counts.written))
                counters.filtered.increment(by: Int64(counts.filtered))
                counters.deadLettered.increment(by: Int64(counts.deadLettered))
            }
            rowsUnrouted.increment(by: Int64(report.unrouted))
            for (sink, rows) in report.sinkCounts { sinkRowsWritten(sink).increment(by: Int64(rows)) }
            batchDuration.record(report.wall)
            for range in report.plan.kafka {
                // A partition whose high watermark is unknown keeps its last value rather than
                // pretending to have no lag.
                guard let latest = report.latestOffsets[TopicPartition(range.topic, range.partition)] else { continue }
                kafkaLag(range.topic, range.partition).set(to: Double(max(0, latest - range.end)))
            }
            lastCommittedBatch.set(to: Double(report.plan.batch))
            batchesCommitted.increment()
        case .failing:
            failuresTotal.increment()
        case .ready, .recovered, .stopping:
            // Read from the monitor's snapshot at scrape time instead.
            break
        }
    }

    /// Uptime, readiness and failing as of now, from the monitor's snapshot.
    private func updateScrapeTimeGauges() {
        let snapshot = monitor.snapshot
        let uptime = (ContinuousClock.now - snapshot.startedAt).components
        let seconds = Double(uptime.seconds) + Double(uptime.attoseconds) / 1e18
        registry.makeGauge(descriptor: Self.name("uptime", "seconds", "Seconds since the engine's monitor was created.")).set(to: seconds)
        registry.makeGauge(descriptor: Self.name("ready", "", "1 once the checkpoint is loaded and the sources are open, else 0.")).set(to: snapshot.ready ? 1 : 0)
        registry.makeGauge(descriptor: Self.name("failing", "", "1 while something keeps failing (the engine retries), else 0.")).set(to: snapshot.failingSince == nil ? 0 : 1)
    }

    // MARK: - The collectors

    /// `tributary_<metric>_<unit>` with its help text. The registry returns the collector
    /// already registered under a name (and labels), so asking again is cheap and safe.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tributary", metricName: metric, unitName: unit, helpText: help)
    }

    /// The four row counters of one source.
    private struct RowCounters {
        let read, written, filtered, deadLettered: Counter
    }

    private func rowCounters(_ source: String) -> RowCounters {
        let labels = [("source", source)]
        func counter(_ metric: String, _ what: String) -> Counter {
            registry.makeCounter(descriptor: Self.name(metric, "total", "Rows \(what), per source, over the batches this process committed."), labels: labels)
        }
        return RowCounters(
            read: counter("rows_read", "read"),
            written: counter("rows_written", "written"),
            filtered: counter("rows_filtered", "filtered out"),
            deadLettered: counter("rows_dead_lettered", "dead-lettered")
        )
    }

    private var rowsUnrouted: Counter {
        registry.makeCounter(descriptor: Self.name("rows_unrouted", "total", "Rows no sink took, over the batches this process committed."))
    }

    private func sinkRowsWritten(_ sink: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("sink_rows_written", "total", "Rows written, per sink, over the batches this process committed."), labels: [("sink", sink)])
    }

    private var batchDuration: DurationHistogram {
        registry.makeDurationHistogram(descriptor: Self.name("batch_duration", "seconds", "Duration of committed batches, every phase from planning to commit."), buckets: Self.durationBuckets)
    }

    private func kafkaLag(_ topic: String, _ partition: Int32) -> Gauge {
        registry.makeGauge(descriptor: Self.name("kafka_lag", "", "Offsets between the planned end of the last committed batch and the high watermark, per partition."), labels: [("topic", topic), ("partition", String(partition))])
    }

    private var lastCommittedBatch: Gauge {
        registry.makeGauge(descriptor: Self.name("last_committed_batch", "", "The id of the last batch this process committed."))
    }

    private var batchesCommitted: Counter {
        registry.makeCounter(descriptor: Self.name("batches_committed", "total", "Batches this process committed."))
    }

    private var failuresTotal: Counter {
        registry.makeCounter(descriptor: Self.name("failures", "total", "Failure reports (each retry of an unavailable broker or a failing batch counts)."))
    }
}
