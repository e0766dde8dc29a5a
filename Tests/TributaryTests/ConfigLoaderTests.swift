@testable import Tributary
import Foundation
import Testing

private func withConfigFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-config-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// The problems parsing `text` reports (recording an issue when it parses).
private func problems(_ text: String, file: String = "/etc/tributary/p.toml", environment: [String: String] = [:]) -> [ConfigError.Problem] {
    do {
        let config = try ConfigLoader.parse(text, file: file, environment: environment)
        Issue.record("expected problems, got a configuration with checkpoint_dir \(config.checkpointDir)")
        return []
    } catch let error as ConfigError {
        #expect(error.file == file)
        return error.problems
    } catch {
        Issue.record("expected a ConfigError, got \(error)")
        return []
    }
}

/// The smallest valid configuration, with `extra` appended to the Kafka source.
private func minimal(kafka extra: String = "", head: String = "") -> String {
    """
    \(head)
    checkpoint_dir = "/state/cp"
    dead_letter_dir = "/state/dl"

    [schema]
    fields = [{ name = "id", type = "string", required = true }]

    [source.kafka]
    bootstrap_servers = "b:9092"
    topics = ["t"]
    \(extra)

    [sink.console]
    """
}

@Suite struct ConfigLoaderTests {
    // MARK: a complete configuration

    @Test func aFullConfigurationDecodesIntoExactValues() throws {
        try withConfigFolder { root in
            let folder = root + "/conf"
            try FileManager.default.createDirectory(atPath: folder + "/incoming", withIntermediateDirectories: true)
            let text = """
            # Every key of config/demo.toml, and the rest.
            checkpoint_dir  = "../demo-run/checkpoint"
            dead_letter_dir = "/var/lib/tributary/../tributary/./dead-letter"
            trigger = "250ms"
            max_record_bytes = "2MiB"
            retain_batches = 7

            [schema]
            fields = [
              { name = "visit_id",    type = "string",    required = true },
              { name = "page",        type = "string" },
              { name = "event_time",  type = "timestamp", required = true },
              { name = "duration_ms", type = "int" },
              { name = "country",     type = "string" },
              { name = "origin",      type = "string" },
              { name = "score",       type = "double",    required = false },
              { name = "ok",          type = "bool" },
              { name = "rest",        type = "json" },
              { name = "line" },
            ]
            catch_all = "rest"

            [source.kafka]
            bootstrap_servers = "embedded"
            topics = ["visits", "clicks"]
            starting_offsets = '{"visits": {"0": 42, "1": -2}, "clicks": {"3": -1}}'
            max_offsets_per_trigger = 100
            min_offsets_per_trigger = 10
            max_trigger_delay = "2h"
            fail_on_data_loss = false
            read_timeout = "15m"

            [source.kafka.librdkafka]
            "security.protocol" = "SASL_SSL"
            "fetch.max.bytes" = 1048576
            "enable.ssl.certificate.verification" = false
            "socket.timeout.ms" = 2.5

            [source.kafka.embedded]
            partitions = 5
            load = ["../sample-data/kafka/visits.jsonl", "/abs/x.jsonl"]

            [source.kafka.mapping]
            visit_id    = "id"
            page        = "url"
            event_time  = "ts"
            duration_ms = "dur"
            country     = "geo.address.country"
            origin      = "@origin"
            line        = "@offset"

            [source.files]
            path = "incoming"
            pattern = "*.json.gz"
            max_files_per_trigger = 2
            max_bytes_per_trigger = "32KB"
            min_file_age = "0s"
            latest_first = true
            max_file_age = "7d"
            clean_source = "archive"
            archive_dir = "./done/"

            [source.files.mapping]
            country = "user.country"
            origin  = "@origin"
            line    = "@line"
            score   = "@byte_offset"
            page    = "@file"

            [sink.files]
            path = "../demo-run/output"
            partition_by = "country"

            [sink.console]
            """
            let config = try ConfigLoader.parse(text, file: folder + "/pipeline.toml", environment: [:])
            #expect(config.file == folder + "/pipeline.toml")
            #expect(config.checkpointDir == root + "/demo-run/checkpoint")
            #expect(config.deadLetterDir == "/var/lib/tributary/dead-letter")
            #expect(config.trigger == .interval(.milliseconds(250)))
            #expect(config.maxRecordBytes == 2 * 1_048_576)
            #expect(config.retainBatches == 7)
            #expect(config.secrets.isEmpty)
            #expect(config.schema == Schema(fields: [
                SchemaField(name: "visit_id", type: .string, required: true),
                SchemaField(name: "page", type: .string),
                SchemaField(name: "event_time", type: .timestamp, required: true),
                SchemaField(name: "duration_ms", type: .int),
                SchemaField(name: "country", type: .string),
                SchemaField(name: "origin", type: .string),
                SchemaField(name: "score", type: .double),
                SchemaField(name: "ok", type: .bool),
                SchemaField(name: "rest", type: .json),
                SchemaField(name: "line", type: .string),
            ], catchAllField: 8))

            let kafka = try #require(config.kafka)
            #expect(kafka.bootstrapServers == "embedded")
            #expect(kafka.isEmbedded)
            #expect(kafka.topics == ["visits", "clicks"])
            #expect(kafka.startingOffsets == .specific(["visits": [0: 42, 1: -2], "clicks": [3: -1]]))
            #expect(kafka.maxOffsetsPerTrigger == 100)
            #expect(kafka.minOffsetsPerTrigger == 10)
            #expect(kafka.maxTriggerDelay == .seconds(7_200))
            #expect(kafka.failOnDataLoss == false)
            #expect(kafka.readTimeout == .seconds(900))
            #expect(kafka.librdkafka == [
                "security.protocol": "SASL_SSL",
                "fetch.max.bytes": "1048576",
                "enable.ssl.certificate.verification": "false",
                "socket.timeout.ms": "2.5",
            ])
            #expect(kafka.embeddedPartitions == 5)
            #expect(kafka.embeddedLoad == [root + "/sample-data/kafka/visits.jsonl", "/abs/x.jsonl"])
            #expect(kafka.mapping == [
                "visit_id": .json(["id"]),
                "page": .json(["url"]),
                "event_time": .json(["ts"]),
                "duration_ms": .json(["dur"]),
                "country": .json(["geo", "address", "country"]),
                "origin": .metadata(.origin),
                "line": .metadata(.offset),
            ])

            let files = try #require(config.files)
            #expect(files.path == folder + "/incoming")
            #expect(files.pattern == "*.json.gz")
            #expect(files.maxFilesPerTrigger == 2)
            #expect(files.maxBytesPerTrigger == 32_000)
            #expect(files.minFileAge == .zero)
            #expect(files.latestFirst)
            #expect(files.maxFileAge == .seconds(7 * 86_400))
            #expect(files.cleanSource == .archive(folder + "/done"))
            #expect(files.mapping == [
                "country": .json(["user", "country"]),
                "origin": .metadata(.origin),
                "line": .metadata(.line),
                "score": .metadata(.byteOffset),
                "page": .metadata(.file),
            ])

            #expect(config.sinks.count == 2)
            guard config.sinks.count == 2 else { return }
            guard case let .files(path, partitionBy) = config.sinks[0].kind else {
                Issue.record("first sink is not files: \(config.sinks[0])")
                return
            }
            #expect(path == root + "/demo-run/output")
            #expect(partitionBy == "country")
            guard case .console = config.sinks[1].kind else {
                Issue.record("second sink is not console: \(config.sinks[1])")
                return
            }
        }
    }

    @Test func theDemoConfigurationParses() throws {
        // config/demo.toml as shipped, read through load() with its real path.
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/demo.toml").standardizedFileURL.path
        let root = URL(fileURLWithPath: demo).deletingLastPathComponent().deletingLastPathComponent().path
        do {
            let config = try ConfigLoader.load(file: demo, environment: [:])
            #expect(config.checkpointDir == root + "/demo-run/checkpoint")
            #expect(config.kafka?.embeddedLoad == [root + "/sample-data/kafka/visits.jsonl"])
            #expect(config.files?.path == root + "/demo-run/incoming")
        } catch let error as ConfigError {
            // The demo's input folder is made by scripts/demo; without it that is the only problem.
            #expect(error.problems.map(\.key) == ["source.files.path"], "\(error)")
        }
    }

    @Test func defaultsApplyWhenKeysAreAbsent() throws {
        let config = try ConfigLoader.parse(minimal(), file: "/etc/tributary/p.toml")
        #expect(config.trigger == .interval(.seconds(5)))
        #expect(config.maxRecordBytes == 1 << 20)
        #expect(config.retainBatches == 100)
        #expect(config.files == nil)
        let kafka = try #require(config.kafka)
        #expect(kafka.startingOffsets == .earliest)
        #expect(kafka.maxOffsetsPerTrigger == nil)
        #expect(kafka.minOffsetsPerTrigger == 0)
        #expect(kafka.maxTriggerDelay == .seconds(900))
        #expect(kafka.failOnDataLoss)
        #expect(kafka.readTimeout == .seconds(60))
        #expect(kafka.mapping.isEmpty)
        #expect(kafka.librdkafka.isEmpty)
    }

    @Test func triggerKindsAndMaxFileAgeOff() throws {
        #expect(try ConfigLoader.parse(minimal(head: "trigger = \"once\""), file: "/p.toml").trigger == .once)
        #expect(try ConfigLoader.parse(minimal(head: "trigger = \"available-now\""), file: "/p.toml").trigger == .availableNow)
        #expect(try ConfigLoader.parse(minimal(head: "trigger = \"1.5s\""), file: "/p.toml").trigger == .interval(.milliseconds(1_500)))
        #expect(problems(minimal(head: "trigger = \"sometimes\"")).map(\.key) == ["trigger"])
        try withConfigFolder { folder in
            let text = minimal() + "\n[source.files]\npath = \"\(folder)\"\nmax_file_age = \"off\"\nmax_bytes_per_trigger = 4096\n"
            let files = try #require(try ConfigLoader.parse(text, file: "/p.toml").files)
            #expect(files.maxFileAge == nil)
            #expect(files.maxBytesPerTrigger == 4_096)
            #expect(files.maxFilesPerTrigger == 1)
            #expect(files.cleanSource == .off)
        }
    }

    // MARK: units

    @Test func durations() {
        #expect(ConfigValues.duration("250ms") == .milliseconds(250))
        #expect(ConfigValues.duration("5s") == .seconds(5))
        #expect(ConfigValues.duration("15m") == .seconds(900))
        #expect(ConfigValues.duration("2h") == .seconds(7_200))
        #expect(ConfigValues.duration("7d") == .seconds(604_800))
        #expect(ConfigValues.duration("0.5s") == .milliseconds(500))
        #expect(ConfigValues.duration(" 10 ") == .seconds(10))
        #expect(ConfigValues.duration("3 m") == .seconds(180))
        #expect(ConfigValues.duration("0") == .zero)
        for bad in ["", "s", "5x", "-1s", "5 minutes", "1e400s", "nan", "inf", "1e300s", "1e17d"] {
            #expect(ConfigValues.duration(bad) == nil, "\(bad)")
        }
    }

    @Test func sizes() {
        #expect(ConfigValues.bytes("64MB") == 64_000_000)
        #expect(ConfigValues.bytes("512KB") == 512_000)
        #expect(ConfigValues.bytes("2GB") == 2_000_000_000)
        #expect(ConfigValues.bytes("1GiB") == 1_073_741_824)
        #expect(ConfigValues.bytes("4MiB") == 4_194_304)
        #expect(ConfigValues.bytes("1.5KiB") == 1_536)
        #expect(ConfigValues.bytes("64mb") == 64_000_000)
        #expect(ConfigValues.bytes("100B") == 100)
        #expect(ConfigValues.bytes("1000") == 1_000)
        #expect(ConfigValues.bytes(" 7 MB ") == 7_000_000)
        for bad in ["", "MB", "-5", "-1KB", "5XB", "ten", "1e30GB", "99999999999999999999"] {
            #expect(ConfigValues.bytes(bad) == nil, "\(bad)")
        }
    }

    // MARK: problems

    @Test func everyProblemIsReportedAtOnceWithItsKey() throws {
        try withConfigFolder { folder in
            let text = """
            checkpoint_dir = "cp"
            dead_letter_dir = "dl"
            retain_batches = "ten"
            colour = "red"

            [schema]
            fields = [
              { name = "id", type = "string" },
              { name = "when", type = "datetime" },
            ]

            [source.kafka]
            bootstrap_servers = "b:9092"
            topics = ["t"]
            max_offset_per_trigger = 10
            max_offsets_per_trigger = 10
            min_offsets_per_trigger = 50
            max_trigger_delay = "5 minutes"

            [source.kafka.mapping]
            nope = "x"

            [source.files]
            path = "missing-folder"
            clean_source = "archive"

            [source.files.mapping]
            id = "@offest"

            [sink.console]
            """
            let found = problems(text, file: folder + "/bad.toml")
            let byKey = Dictionary(found.map { ($0.key, [$0.message]) }, uniquingKeysWith: +)
            let expected: [String: String] = [
                "retain_batches": "expected an integer",
                "colour": "unknown key (known keys here: ",
                "schema.fields[1].type": "unknown type 'datetime'; use one of string, int, double, bool, timestamp, json",
                "source.kafka.max_offset_per_trigger": "unknown key (did you mean 'max_offsets_per_trigger'?)",
                "source.kafka.min_offsets_per_trigger": "is larger than max_offsets_per_trigger (10)",
                "source.kafka.max_trigger_delay": "'5 minutes' is not a duration",
                "source.kafka.mapping.nope": "'nope' is not a schema field",
                "source.files.path": "input folder \(folder)/missing-folder does not exist",
                "source.files.archive_dir": "is required when clean_source = \"archive\"",
                "source.files.mapping.id": "unknown metadata '@offest'; use one of @origin, @topic",
            ]
            #expect(Set(byKey.keys) == Set(expected.keys), "\(found)")
            #expect(found.count == expected.count, "\(found)")
            for (key, fragment) in expected {
                #expect(byKey[key]?.first?.contains(fragment) == true, "\(key): \(byKey[key] ?? [])")
            }
            // The error's description lists them all for the operator.
            do {
                _ = try ConfigLoader.parse(text, file: folder + "/bad.toml")
            } catch let error as ConfigError {
                #expect(error.description.contains("(\(expected.count) problems)"))
                #expect(error.description.contains("  - source.kafka.mapping.nope: 'nope' is not a schema field"))
            }
        }
    }

    @Test func missingRequiredPartsAreReported() {
        let found = problems("trigger = \"5s\"\n")
        #expect(found.map(\.key).sorted() == ["checkpoint_dir", "dead_letter_dir", "schema", "sink", "source"])
        #expect(found.first { $0.key == "checkpoint_dir" }?.message == "is required but missing")
    }

    @Test func startingOffsetsProblems() {
        let found = problems(minimal(kafka: "starting_offsets = '{\"other\": {\"0\": 1}, \"t\": {\"x\": 5, \"1\": -3}}'"))
        #expect(found.map(\.key) == Array(repeating: "source.kafka.starting_offsets", count: 3), "\(found)")
        #expect(found.contains { $0.message.contains("topic 'other' is not in topics") })
        #expect(found.contains { $0.message.contains("t partition 'x'") })
        #expect(found.contains { $0.message.contains("t partition '1'") })
        let notJSON = problems(minimal(kafka: "starting_offsets = \"beginning\""))
        #expect(notJSON.map(\.key) == ["source.kafka.starting_offsets"])
        #expect(notJSON.first?.message.hasPrefix("'beginning' is not \"earliest\", \"latest\" or JSON") == true)
    }

    // MARK: substitution

    @Test func environmentVariablesAreSubstitutedAndRememberedAsSecrets() throws {
        let text = minimal(kafka: """
            [source.kafka.librdkafka]
            "sasl.username" = "svc-${KAFKA_USER}"
            "sasl.password" = "${KAFKA_PASSWORD}"
            "client.id" = "${EMPTY}tributary"
            """).replacingOccurrences(of: "\"b:9092\"", with: "\"${BROKERS}\"")
            .replacingOccurrences(of: "[\"t\"]", with: "[\"${TOPIC}\"]")
        let environment = ["KAFKA_USER": "reader", "KAFKA_PASSWORD": "hunter2", "BROKERS": "k1:9093,k2:9093", "TOPIC": "visits", "EMPTY": ""]
        let config = try ConfigLoader.parse(text, file: "/p.toml", environment: environment)
        let kafka = try #require(config.kafka)
        #expect(kafka.bootstrapServers == "k1:9093,k2:9093")
        #expect(kafka.topics == ["visits"])
        #expect(kafka.librdkafka == ["sasl.username": "svc-reader", "sasl.password": "hunter2", "client.id": "tributary"])
        #expect(config.secrets == ["reader", "hunter2", "k1:9093,k2:9093", "visits"])

        var partial = environment
        partial["KAFKA_PASSWORD"] = nil
        let found = problems(text, environment: partial)
        #expect(found.map(\.key) == ["source.kafka.librdkafka.sasl.password"])
        #expect(found.first?.message.hasPrefix("environment variable KAFKA_PASSWORD is not set") == true)

        let unterminated = problems(minimal(kafka: "[source.kafka.librdkafka]\n\"client.id\" = \"${OOPS\""))
        #expect(unterminated.map(\.key) == ["source.kafka.librdkafka.client.id"])
        #expect(unterminated.first?.message.hasPrefix("unterminated ${") == true)
    }

    @Test func credentialsAreReadFromTheCredentialsDirectory() throws {
        try withConfigFolder { folder in
            try Data("s3cr3t\n\n".utf8).write(to: URL(fileURLWithPath: folder + "/kafka-password"))
            let text = minimal(kafka: """
                [source.kafka.librdkafka]
                "sasl.password" = "${credential:kafka-password}"
                """)
            let config = try ConfigLoader.parse(text, file: "/p.toml", environment: ["CREDENTIALS_DIRECTORY": folder])
            #expect(config.kafka?.librdkafka == ["sasl.password": "s3cr3t"])
            #expect(config.secrets == ["s3cr3t"])

            let missing = problems(text.replacingOccurrences(of: "kafka-password", with: "nope"), environment: ["CREDENTIALS_DIRECTORY": folder])
            #expect(missing.map(\.key) == ["source.kafka.librdkafka.sasl.password"])
            #expect(missing.first?.message.hasPrefix("credential 'nope' is not in \(folder)") == true)

            let noDirectory = problems(text)
            #expect(noDirectory.map(\.key) == ["source.kafka.librdkafka.sasl.password"])
            #expect(noDirectory.first?.message.contains("CREDENTIALS_DIRECTORY") == true)
        }
    }

    // MARK: syntax and paths

    @Test func aTOMLSyntaxErrorReportsLineAndColumn() {
        let found = problems("checkpoint_dir = \"a\"\ndead_letter_dir = \"b\"\ntrigger = = \"5s\"\n")
        #expect(found.count == 1)
        #expect(found.first?.key == "")
        #expect(found.first?.message.hasPrefix("TOML syntax error at line 3, column 11: ") == true, "\(found)")
    }

    @Test func relativePathsResolveAgainstTheConfigFolder() throws {
        let text = minimal()
            .replacingOccurrences(of: "\"/state/cp\"", with: "\"./state/../cp/\"")
            .replacingOccurrences(of: "\"/state/dl\"", with: "\"/srv//x/../dl\"")
        let config = try ConfigLoader.parse(text, file: "/etc/tributary/pipelines/p.toml")
        #expect(config.checkpointDir == "/etc/tributary/pipelines/cp")
        #expect(config.deadLetterDir == "/srv/dl")
        // A relative config path is anchored at the working directory.
        let relative = try ConfigLoader.parse(text, file: "configs/p.toml")
        let cwd = FileManager.default.currentDirectoryPath
        #expect(relative.checkpointDir == cwd + "/configs/cp")
        let bare = try ConfigLoader.parse(text, file: "p.toml")
        #expect(bare.checkpointDir == cwd + "/cp")
    }

    @Test func loadReportsAnUnreadableFile() throws {
        try withConfigFolder { folder in
            #expect(throws: ConfigError.self) { try ConfigLoader.load(file: folder + "/absent.toml", environment: [:]) }
            let path = folder + "/p.toml"
            try Data(minimal().utf8).write(to: URL(fileURLWithPath: path))
            let config = try ConfigLoader.load(file: path, environment: [:])
            #expect(config.file == path)
            #expect(config.checkpointDir == "/state/cp")
        }
    }

    // MARK: file modes and the HTTP endpoint's address

    @Test func fileModeDefaultsTo0640AndAcceptsOctalStrings() throws {
        #expect(try ConfigLoader.parse(minimal(), file: "/etc/tributary/p.toml").fileMode == 0o640)
        #expect(try ConfigLoader.parse(minimal(), file: "/etc/tributary/p.toml").folderMode == 0o750)
        for (text, mode, folder) in [("0644", 0o644, 0o755), ("600", 0o600, 0o700), ("0660", 0o660, 0o770), ("0o640", 0o640, 0o750)] as [(String, UInt32, UInt32)] {
            let config = try ConfigLoader.parse(minimal(head: "file_mode = \"\(text)\""), file: "/etc/tributary/p.toml")
            #expect(config.fileMode == mode, "\(text)")
            #expect(config.folderMode == folder, "\(text)")
        }
    }

    @Test func fileModeRefusesWorldWritableSpecialBitsAndNonOctal() {
        let cases: [(String, String)] = [
            ("0666", "'0666' lets every user write the files; drop the last digit's 2, e.g. \"0640\" or \"0644\""),
            ("0777", "'0777' lets every user write the files; drop the last digit's 2, e.g. \"0640\" or \"0644\""),
            ("4640", "'4640' sets setuid, setgid or sticky bits; use plain permission bits, e.g. \"0640\""),
            ("0440", "'0440' must let the owner read and write (6 as the owner digit), e.g. \"0640\""),
            ("0648", "'0648' is not an octal mode; write it as a string of octal digits, e.g. \"0640\""),
            ("rw-r-----", "'rw-r-----' is not an octal mode; write it as a string of octal digits, e.g. \"0640\""),
            ("06400", "'06400' is not an octal mode; write it as a string of octal digits, e.g. \"0640\""),
        ]
        for (text, message) in cases {
            #expect(problems(minimal(head: "file_mode = \"\(text)\"")) == [.init(key: "file_mode", message: message)], "\(text)")
        }
        // An integer is refused by type: 640 written bare would silently be decimal.
        let bare = problems(minimal(head: "file_mode = 640"))
        #expect(bare.map(\.key) == ["file_mode"])
    }

    @Test func httpListensOnLoopbackUnlessAHostIsWrittenOut() throws {
        let omitted = try ConfigLoader.parse(minimal() + "\n[http]\n", file: "/etc/tributary/p.toml")
        #expect(omitted.httpListen == "127.0.0.1:9464")
        #expect(HTTPAddress("9464") == HTTPAddress("127.0.0.1:9464"))
        #expect(HTTPAddress("0")?.host == "127.0.0.1")
        #expect(HTTPAddress("0.0.0.0:9464")?.host == "0.0.0.0")
        #expect(HTTPAddress("[::1]:9464")?.host == "::1")
        #expect(try ConfigLoader.parse(minimal(), file: "/etc/tributary/p.toml").httpListen == nil)
        #expect(problems(minimal() + "\n[http]\nlisten = \":9464\"\n") == [.init(
            key: "http.listen",
            message: "':9464' is not HOST:PORT; write \"0.0.0.0:9464\" to listen on every interface, or \"9464\" for loopback only")])
    }
}
