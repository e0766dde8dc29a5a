@testable import Tributary
import Foundation
import Testing

@Suite struct OperatorConfigDescriptionTests {
    private let text = """
        checkpoint_dir = "/state/cp"
        dead_letter_dir = "/state/dl"
        [schema]
        fields = [
          { name = "id", type = "string", required = true },
          { name = "at", type = "timestamp" },
        ]
        [source.kafka]
        bootstrap_servers = "broker-1:9092"
        topics = ["visits"]
        max_offsets_per_trigger = 500
        [source.kafka.librdkafka]
        "sasl.username" = "tributary"
        "sasl.password" = "${KAFKA_PW}"
        "ssl.key.password" = "written-in-the-file"
        "client.id" = "${CLIENT}-1"
        [source.kafka.mapping]
        id = "visit.id"
        at = "@timestamp"
        [sink.console]
        """

    @Test func secretsAreMaskedAndEverythingElseIsShown() throws {
        let config = try ConfigLoader.parse(text, file: "/etc/p.toml", environment: ["KAFKA_PW": "hunter2-pw", "CLIENT": "edge-7"])
        let description = ConfigDescription.describe(config)
        #expect(!description.contains("hunter2"))
        #expect(!description.contains("written-in-the-file"))
        #expect(!description.contains("edge-7"))
        #expect(description.contains("\"sasl.password\" = \"***\""))
        #expect(description.contains("\"ssl.key.password\" = \"***\""))
        #expect(description.contains("\"client.id\" = \"***\""))
        #expect(description.contains("\"sasl.username\" = \"tributary\""))
        // Defaults are shown with their values, unset limits as comments.
        for line in ["trigger = \"5s\"", "max_record_bytes = \"1MiB\"", "retain_batches = 100", "max_offsets_per_trigger = 500",
                     "min_offsets_per_trigger = 0", "max_trigger_delay = \"15m\"", "fail_on_data_loss = true", "read_timeout = \"1m\"",
                     "starting_offsets = \"earliest\"", "id = \"visit.id\"", "at = \"@timestamp\"", "[source.kafka.librdkafka]"] {
            #expect(description.contains(line + "\n"), "missing \(line)")
        }
        #expect(description.contains("# catch_all is not set"))
    }

    @Test func theDescriptionReadsBackAsTheSameConfiguration() throws {
        try withScratchFolder { root in
            try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
            let original = try ConfigLoader.parse("""
                checkpoint_dir = "cp"
                dead_letter_dir = "dl"
                trigger = "available-now"
                max_record_bytes = 5000
                [schema]
                fields = [{ name = "id", type = "string", required = true }, { name = "rest", type = "json" }]
                catch_all = "rest"
                [source.files]
                path = "in"
                max_bytes_per_trigger = "32KB"
                max_file_age = "off"
                min_file_age = "250ms"
                clean_source = "archive"
                archive_dir = "old"
                [source.files.mapping]
                id = "@file"
                [sink.files]
                path = "out"
                """, file: root + "/p.toml")
            let description = ConfigDescription.describe(original)
            #expect(description.contains("max_bytes_per_trigger = \"32KB\"\n"))
            #expect(description.contains("max_file_age = \"off\"\n"))
            #expect(description.contains("min_file_age = \"250ms\"\n"))
            #expect(description.contains("archive_dir = \"\(root)/old\"\n"))
            let again = try ConfigLoader.parse(description, file: root + "/p.toml")
            #expect(ConfigDescription.describe(again) == description)
        }
    }

    @Test func transformsAndSinksReadBackToo() throws {
        try withScratchFolder { root in
            let original = try ConfigLoader.parse("""
                checkpoint_dir = "cp"
                dead_letter_dir = "dl"
                unrouted = "dead-letter"
                [schema]
                fields = [{ name = "id", type = "string", required = true }, { name = "n", type = "int" }]
                [source.kafka]
                bootstrap_servers = "embedded"
                topics = ["in"]
                starting_offsets = '{"in":{"0":42}}'
                [source.kafka.embedded]
                partitions = 2
                [[transform]]
                filter = "n > 1"
                [[transform]]
                set = { m = "n + 1" }
                [[transform]]
                default = { n = 0 }
                [[transform]]
                dedupe = { key = ["id"], within = "1h" }
                [[sink]]
                type = "files"
                path = "out"
                when = "n > 2"
                [[sink]]
                name = "k"
                type = "kafka"
                bootstrap_servers = "broker:9092"
                topic = "out"
                [sink.librdkafka]
                "sasl.password" = "${PW}"
                """, file: root + "/p.toml", environment: ["PW": "sekrit"])
            let description = ConfigDescription.describe(original)
            #expect(!description.contains("sekrit"))
            for line in ["unrouted = \"dead-letter\"", "starting_offsets = \"{\\\"in\\\":{\\\"0\\\":42}}\"", "[source.kafka.embedded]", "partitions = 2",
                         "filter = \"n > 1\"", "set = { m = \"n + 1\" }", "default = { n = 0 }", "dedupe = { key = [\"id\"], within = \"1h\" }",
                         "name = \"files-0\"", "when = \"n > 2\"", "topic = \"out\"", "[sink.librdkafka]", "\"sasl.password\" = \"***\""] {
                #expect(description.contains(line + "\n"), "missing \(line)")
            }
            // Read back, the defaulted mappings are explicit: the only difference is their comment.
            let again = try ConfigLoader.parse(description, file: root + "/p.toml")
            let comment = "    # default: the field's own name"
            #expect(ConfigDescription.describe(again) == description.replacingOccurrences(of: comment, with: ""))
        }
    }

    @Test func durationsAndSizesUseTheLargestExactUnit() {
        #expect(ConfigDescription.duration(.seconds(7 * 86_400)) == "7d")
        #expect(ConfigDescription.duration(.seconds(90)) == "90s")
        #expect(ConfigDescription.duration(.milliseconds(1500)) == "1500ms")
        #expect(ConfigDescription.duration(.zero) == "0s")
        #expect(ConfigDescription.bytes(64_000_000) == "\"64MB\"")
        #expect(ConfigDescription.bytes(1 << 30) == "\"1GiB\"")
        #expect(ConfigDescription.bytes(1234) == "1234")
    }
}
