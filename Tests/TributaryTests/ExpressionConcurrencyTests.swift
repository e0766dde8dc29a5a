@testable import Tributary
import Testing

@Suite struct ConcurrencyTests {
    /// A compiled expression (with a shared regex and json decoder) is used from many tasks at once.
    @Test func sharedAcrossTasks() async throws {
        let compiled = try ExpressionCompiler.compile(
            "matches(page, '^p[0-9]+$') and json_string(payload.user) = page", layout: testLayout, location: "t")
        let results = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var matched = 0
                    for index in 0..<2_000 {
                        let page = "p\(task * 10_000 + index)"
                        let values: [String: FieldValue] = [
                            "page": .string(page), "payload": .json("{\"user\":\"\(page)\"}"),
                        ]
                        if (try? compiled.evaluate(row(values), ExpressionContext(batchTimeMicros: 0))) == .bool(true) {
                            matched += 1
                        }
                    }
                    return matched
                }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        #expect(results == 16_000)
    }
}
