@testable import Tributary
import Foundation
import Testing

/// Random single-byte edits of valid lines, checked against JSONSerialization: catches crashes and
/// acceptance bugs that hand-written cases miss.
@Suite struct MutationTests {
    static let alphabet: [UInt8] = Array(#"{}[]",:\ /u'tfnl.-+aDd"#.utf8) + [0x00, 0x09, 0x0A, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]

    @Test func mutatedLinesAgreeWithJSONSerialization() {
        let seeds = differentialTextLines.map { Array($0.utf8) }.filter {
            (try? JSONSerialization.jsonObject(with: Data($0))) is [String: Any]
        }
        let schema = Schema(fields: [SchemaField(name: "rest", type: .json)], catchAllField: 0)
        let decoder = RecordDecoder(schema: schema)
        // Nested paths send the scan through schema-directed object walking instead of plain skipping.
        let pathDecoder = RecordDecoder(schema: Schema(fields: [
            SchemaField(name: "a", type: .json), SchemaField(name: "bc", type: .json, path: ["b", "c"]),
            SchemaField(name: "deep", type: .json, path: ["nested", "a", "b"]), SchemaField(name: "dup", type: .json),
        ]))
        var state: UInt64 = 7
        var disagreements: [String] = []
        for round in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var bytes = seeds[Int(state >> 40) % seeds.count]
            guard !bytes.isEmpty else { continue }
            let position = Int(state >> 20) % bytes.count
            let replacement = Self.alphabet[Int(state >> 8) % Self.alphabet.count]
            switch round % 4 {
            case 0: bytes[position] = replacement
            case 1: bytes.remove(at: position)
            case 2: bytes.insert(replacement, at: position)
            default: bytes.removeSubrange(position...)
            }
            var row: [FieldValue] = []
            let ours = bytes.withUnsafeBytes { decoder.decode($0, into: &row) }
            let viaPaths = bytes.withUnsafeBytes { pathDecoder.decode($0, into: &row) }
            // Duplicate keys are only looked for among the keys a schema reads, so on those the two
            // schemas may differ; on everything else they must agree exactly.
            #expect(Self.ignoringDuplicateKeys(ours) == Self.ignoringDuplicateKeys(viaPaths), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            let foundation = Result { try JSONSerialization.jsonObject(with: Data(bytes)) }
            let foundationAccepts = (try? foundation.get()) is [String: Any]
            if foundationAccepts == (ours == nil) { continue }
            // The two documented disagreements (see DifferentialTests): trailing commas and numbers beyond Double.
            if let ours, ours.reason.contains("trailing comma in") { continue }
            // And one more: Foundation keeps the last of duplicate keys; we reject the record.
            if let ours, ours.reason.hasPrefix("duplicate key ") { continue }
            if ours == nil, "\(foundation)".contains("is not representable") { continue }
            disagreements.append("\(String(decoding: bytes, as: UTF8.self).debugDescription): ours=\(ours?.reason ?? "ok") foundation=\(foundation)")
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }

    private static func ignoringDuplicateKeys(_ failure: DecodeFailure?) -> DecodeFailure? {
        failure?.reason.hasPrefix("duplicate key ") == true ? nil : failure
    }
}
