import Foundation
import Testing
@testable import Tributary

@Suite("String fields kept as their input text", .timeLimit(.minutes(4)))
struct StringTextTests {
    /// A config over `fixture` with string fields `a` to `h` and `n`, `body` after the source.
    func load(_ fixture: PipelineFixture, _ body: String) throws -> TributaryConfig {
        try fixture.filesConfig(schema: """
            [schema]
            fields = [
              { name = "a", type = "string" }, { name = "b", type = "string" }, { name = "c", type = "string" },
              { name = "d", type = "string" }, { name = "e", type = "string" }, { name = "f", type = "string" },
              { name = "g", type = "string" }, { name = "h", type = "string" }, { name = "n", type = "int" },
            ]
            """, body)
    }

    @Test("only a string field that nothing but writers reads keeps its text: a filter, a set, a default, a cast to json, a dedupe key, a route, partition_by and a Kafka key each make it a String")
    func onlyUnreadStringsKeepText() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let config = try load(fixture, """
            [[transform]]
            filter = "b != 'x'"
            [[transform]]
            set = { upper_c = "upper(c)", a = "'constant'" }
            [[transform]]
            default = { d = "none" }
            [[transform]]
            cast = { e = "json" }
            [[transform]]
            dedupe = { key = ["f"], within = "1h" }
            [[transform]]
            rename = { h = "renamed" }
            [[sink]]
            type = "files"
            path = "\(fixture.output)"
            when = "g != 'x'"
            partition_by = "renamed"
            """)
        let chain = try TransformChain.compile(config)
        let kept = chain.columns.filter(\.keepsText).map(\.name)
        // `a` is only written to (a set replaces it with a String), `h` only partitions the output.
        #expect(kept == ["a"])

        let plain = try load(fixture, "[sink.files]\npath = \"\(fixture.output)\"")
        #expect(try TransformChain.compile(plain).columns.filter(\.keepsText).map(\.name) == ["a", "b", "c", "d", "e", "f", "g", "h"])

        // A Kafka sink's key is an expression too; compiling needs no broker.
        let keyed = try load(fixture, """
            [[sink]]
            type = "kafka"
            bootstrap_servers = "127.0.0.1:9"
            topic = "out"
            key = "concat(b, '-')"
            """)
        #expect(try TransformChain.compile(keyed).columns.filter(\.keepsText).map(\.name) == ["a", "c", "d", "e", "f", "g", "h"])
    }

    @Test("the decoder keeps a string without escapes as its text, makes a String of one with escapes, and both are written exactly as a String would be")
    func decodedTextIsWrittenAsAString() throws {
        var fields = [SchemaField(name: "s", type: .string), SchemaField(name: "t", type: .string)]
        for index in fields.indices { fields[index].keepsText = true }
        let decoder = RecordDecoder(schema: Schema(fields: fields))
        let inputs = [
            #"{"s":"São Paulo ✓ 😀","t":"tab\tquote\" back\\ \u00e9 \ud83d\ude00 \/"}"#,
            #"{"s":"","t":"plain"}"#,
        ]
        for input in inputs {
            let bytes = Array(input.utf8)
            let written: (kept: [UInt8], strings: [UInt8], values: [FieldValue]) = try bytes.withUnsafeBytes { raw in
                var values: [FieldValue] = []
                if let failure = decoder.decode(raw, into: &values) { throw failure }
                let materialized = values.map(\.materialized)
                return (Self.write(values), Self.write(materialized), materialized)
            }
            #expect(written.kept == written.strings, "\(input)")
            let expected = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: String]
            #expect(written.values == [.string(expected["s"]!), .string(expected["t"]!)])
        }
        // The kept form is the input text itself, quotes included; an escaped string is a String.
        let bytes = Array(inputs[0].utf8)
        bytes.withUnsafeBytes { raw in
            var values: [FieldValue] = []
            #expect(decoder.decode(raw, into: &values) == nil)
            guard case let .text(address, count) = values[0] else {
                Issue.record("expected the kept text, got \(values[0])")
                return
            }
            #expect(address == Int(bitPattern: raw.baseAddress! + 5))
            #expect(count == "\"São Paulo ✓ 😀\"".utf8.count)
            guard case .string = values[1] else {
                Issue.record("a string with escapes must be a String, got \(values[1])")
                return
            }
        }
    }

    @Test("a pipeline writes kept and read string fields exactly as before, escapes and all, next to a field a transform reads")
    func pipelineOutput() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("a.jsonl", #"""
            {"a":"Zoë \"Z\" \u00e9","b":"kept ✓","c":"read","n":1}
            {"a":"","b":"tab\there","c":"x","n":2}
            {"b":null,"c":"keep me out","n":3}
            """#)
        let config = try load(fixture, """
            [[transform]]
            filter = "c != 'keep me out'"
            [[transform]]
            set = { c = "upper(c)" }
            [sink.files]
            path = "\(fixture.output)"
            """)
        #expect(try TransformChain.compile(config).columns.filter(\.keepsText).map(\.name) == ["a", "b", "d", "e", "f", "g", "h"])
        #expect(try MicroBatchEngine(config: config, logger: PipelineFixture.logger).run() == 1)
        let text = try String(contentsOfFile: fixture.output + "/0-0.jsonl", encoding: .utf8)
        #expect(text == #"""
            {"a":"Zoë \"Z\" é","b":"kept ✓","c":"READ","d":null,"e":null,"f":null,"g":null,"h":null,"n":1}
            {"a":"","b":"tab\there","c":"X","d":null,"e":null,"f":null,"g":null,"h":null,"n":2}

            """#)
    }

    static func write(_ values: [FieldValue]) -> [UInt8] {
        var out: [UInt8] = []
        for value in values {
            JSONLineWriter.writeValue(value, to: &out)
            out.append(0x0A)
        }
        return out
    }
}
