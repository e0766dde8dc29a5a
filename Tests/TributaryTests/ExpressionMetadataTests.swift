@testable import Tributary
import Testing

@Suite struct MetadataTests {
    @Test func metadataFunctionsReadTheHiddenColumns() throws {
        let values: [String: FieldValue] = [
            "@topic": .string("events"), "@partition": .int(3), "@offset": .int(99), "@timestamp": .timestamp(5),
            "@origin": .string("kafka"), "@key": .string("k"), "@file": .string("/in/a.jsonl"), "@line": .int(7),
            "@byte_offset": .int(512),
        ]
        #expect(try evaluate("topic()", values) == .string("events"))
        #expect(try evaluate("partition()", values) == .int(3))
        #expect(try evaluate("offset()", values) == .int(99))
        #expect(try evaluate("kafka_timestamp()", values) == .timestamp(5))
        #expect(try evaluate("origin()", values) == .string("kafka"))
        #expect(try evaluate("key()", values) == .string("k"))
        #expect(try evaluate("file()", values) == .string("/in/a.jsonl"))
        #expect(try evaluate("line()", values) == .int(7))
        #expect(try evaluate("byte_offset()", values) == .int(512))
        #expect(try evaluate("TOPIC() || ':' || string(partition())", values) == .string("events:3"))
        let compiled = try ExpressionCompiler.compile("topic() = 'a' and line() > 1", layout: testLayout, location: "t")
        #expect(compiled.referencedColumns == [15, 22])
    }

    @Test func metadataMissingFromTheLayout() {
        for name in ["origin", "topic", "partition", "offset", "key", "kafka_timestamp", "file", "line", "byte_offset"] {
            let error = compileError("page = 'a' or \(name)() is null", layout: plainLayout)
            #expect(error?.message == "metadata function '\(name)()' is not available here")
            #expect(error?.column == 15)
            #expect(error?.token == name)
        }
        #expect(compileError("topic(1)")?.message == "topic() takes no arguments, got 1")
    }

    @Test func hiddenColumnsAreNotSuggested() {
        #expect(compileError("tpic")?.message == "unknown field 'tpic'")
        #expect(compileError("`@topic`") == nil)
    }
}
