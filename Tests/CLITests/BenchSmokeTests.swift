import Foundation
import Testing

/// `tributary bench --smoke --json` as CI runs it: tiny sizes, every figure measured, the
/// pipelines' outputs matching what was generated. No speed ratio is checked here.
@Suite("Benchmark smoke run", .timeLimit(.minutes(4)))
struct BenchSmokeTests {
    static let figures = [
        "data_write_s", "baseline_a_lines_per_s", "baseline_a_s",
        "file_records_per_s", "file_mb_per_s", "file_wall_s", "file_cpu_s", "file_cpu_utilisation",
        "baseline_b_records_per_s", "kafka_records_per_s", "kafka_wall_s", "kafka_cpu_utilisation",
        "kafka_floor_records_per_s", "kafka_floor_wall_s", "kafka_floor_cpu_utilisation",
        "kafka_sink_records_per_s", "kafka_sink_wall_s", "kafka_sink_cpu_utilisation",
        "memory_big_peak_mib", "memory_small_peak_mib", "memory_big_wall_s", "memory_small_wall_s",
        "plan_ms_large_log", "plan_ms_small_log", "open_ms_large_log", "open_ms_small_log",
        "host_cores_start", "host_cores_before_kafka", "host_cores_after_kafka", "host_cores_end",
    ]

    @Test("bench --smoke --json: exit 0, every figure positive, output counts equal the generated counts")
    func smokeRun() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-bench-smoke-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let run = try ChildProcess.run(ChildProcess.tributaryPath, ["bench", "--smoke", "--json", "--work", work])
        #expect(run.status == 0, "stderr: \(run.errors)\nstdout: \(run.output)")
        #expect(run.output.contains("== Summary"))
        let last = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON line in: \(run.output)")
        let result = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])

        let figures = try #require(result["figures"] as? [String: Double])
        for name in Self.figures {
            let value = try #require(figures[name], "figure \(name) is missing")
            #expect(value > 0, "figure \(name) = \(value)")
        }
        // Two spinning threads cannot get more than two cores' worth (and a little for rounding).
        for name in Self.figures where name.hasPrefix("host_cores_") {
            #expect(figures[name, default: 0] <= 2.2, "figure \(name) = \(figures[name, default: 0])")
        }

        let counts = try #require(result["counts"] as? [String: [String: Int]])
        let data = try #require(counts["data"])
        #expect(data["records"] == 3 * 2_000)
        let passing = try #require(data["passing_filter"])
        #expect(passing > 0 && passing < 3 * 2_000, "the filter should drop some records and keep most")

        let file = try #require(counts["file"])
        #expect(file["read"] == data["records"])
        #expect(file["written"] == passing)
        #expect(file["output_manifest"] == passing)
        #expect(file["output_lines"] == passing)
        #expect(file["dead_lettered"] == 0)

        let kafka = try #require(counts["kafka"])
        #expect(kafka["generated"] == 4 * 2_000)
        #expect(kafka["read"] == kafka["generated"])
        #expect(kafka["written"] == kafka["expected_written"])
        #expect(kafka["output_manifest"] == kafka["expected_written"])
        #expect(kafka["output_lines"] == kafka["expected_written"])
        #expect((kafka["expected_written"] ?? 0) > 0)
        // The floor's pipeline (two fields, the filter) keeps the same records.
        let floor = try #require(counts["kafka_floor"])
        #expect(floor["read"] == kafka["generated"])
        #expect(floor["written"] == kafka["expected_written"])
        #expect(floor["output_manifest"] == kafka["expected_written"])
        #expect(floor["output_lines"] == kafka["expected_written"])
        // The Kafka sink's output is counted by the output topic's high watermarks.
        let kafkaSink = try #require(counts["kafka_sink"])
        #expect(kafkaSink["read"] == kafka["generated"])
        #expect(kafkaSink["written"] == kafka["expected_written"])
        #expect(kafkaSink["output_lines"] == kafka["expected_written"])

        for label in ["memory_big", "memory_small"] {
            let memory = try #require(counts[label], "\(label) counts missing")
            #expect(memory["output_manifest"] == memory["expected_written"], "\(label)")
            #expect(memory["output_lines"] == memory["expected_written"], "\(label)")
            #expect((memory["expected_written"] ?? 0) > 0, "\(label)")
        }

        let targets = try #require(result["targets"] as? [[String: Any]])
        #expect(Set(targets.compactMap { $0["target"] as? Int }) == [1, 2, 3, 4, 5])
        // A smoke run judges nothing.
        #expect(targets.allSatisfy { $0["met"] is NSNull })
    }
}
