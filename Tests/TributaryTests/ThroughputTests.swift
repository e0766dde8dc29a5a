@testable import Tributary
import Foundation
import Testing

/// A sanity check of decoding speed next to JSONSerialization's; prints both rates and asserts nothing about speed.
@Suite(.serialized) struct ThroughputTests {
    static let lineCount = 200_000

    static let schema = Schema(fields: [
        SchemaField(name: "id", type: .string, required: true), SchemaField(name: "name", type: .string),
        SchemaField(name: "city", type: .string), SchemaField(name: "country", type: .string),
        SchemaField(name: "birth_date", type: .timestamp), SchemaField(name: "test_time", type: .timestamp),
        SchemaField(name: "result", type: .double),
    ])

    /// ~150-byte lines with 7 fields; `result` alternates between integers and decimals.
    static func makeLines() -> (bytes: [UInt8], ranges: [Range<Int>]) {
        let names = ["Ann Smith", "Bo Li", "Chiara Rossi", "Dmitri Ivanov", "Émile Zola", "Fatima Khan"]
        let cities = ["São Paulo", "Berlin", "Tokyo", "Lagos", "Zürich", "Montréal", "Austin"]
        let countries = ["BR", "DE", "JP", "NG", "CH", "CA", "US"]
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        bytes.reserveCapacity(lineCount * 160)
        for index in 0..<lineCount {
            let result = index % 2 == 0 ? "\(index % 1000)" : "\(index % 100).\(index % 7)5"
            let line = #"{"id":"r\#(100_000_000 + index)","name":"\#(names[index % names.count])","#
                + #""city":"\#(cities[index % cities.count])","country":"\#(countries[index % countries.count])","#
                + #""birth_date":"19\#(50 + index % 50)-0\#(1 + index % 9)-1\#(index % 10)","#
                + #""test_time":"2024-05-01T10:\#(10 + index % 50):00.123Z","result":\#(result)}"#
            let start = bytes.count
            bytes += line.utf8
            ranges.append(start..<bytes.count)
            bytes.append(0x0A)
        }
        return (bytes, ranges)
    }

    @Test func decodeRateNextToJSONSerialization() throws {
        let (bytes, ranges) = Self.makeLines()
        let decoder = RecordDecoder(schema: Self.schema)
        var row: [FieldValue] = []
        var failures = 0
        // Best of three passes, to damp the noise of a shared machine.
        let ours = (0..<3).map { _ in
            bytes.withUnsafeBytes { buffer in
                ContinuousClock().measure {
                    for range in ranges {
                        row.removeAll(keepingCapacity: true)
                        if decoder.decode(UnsafeRawBufferPointer(rebasing: buffer[range]), into: &row) != nil {
                            failures += 1
                        }
                    }
                }
            }
        }.min()!
        #expect(failures == 0)
        #expect(row.count == Self.schema.fields.count)
        let datas = ranges.map { Data(bytes[$0]) }
        var parsed = 0
        let foundation = try (0..<3).map { _ in
            try ContinuousClock().measure {
                for data in datas where try JSONSerialization.jsonObject(with: data) is [String: Any] { parsed += 1 }
            }
        }.min()!
        #expect(parsed == 3 * Self.lineCount)
        let averageBytes = Double(ranges.reduce(0) { $0 + $1.count }) / Double(ranges.count)
        print("THROUGHPUT \(Self.lineCount) lines, \(Int(averageBytes)) bytes each, best of 3: "
            + "RecordDecoder \(Self.rate(ours)) lines/s, JSONSerialization (parse only) \(Self.rate(foundation)) lines/s")
    }

    private static func rate(_ duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Int(Double(lineCount) / seconds)
    }
}
