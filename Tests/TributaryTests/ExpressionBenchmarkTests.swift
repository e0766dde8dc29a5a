@testable import Tributary
import Testing

@Suite struct BenchmarkTests {
    /// Prints evaluations per second; asserts only the result count, never the speed.
    @Test func filterThroughput() throws {
        let layout = ExpressionLayout(fields: [("page", .string), ("duration_ms", .int)])
        let compiled = try ExpressionCompiler.compile(
            "lower(trim(page)) = 'home' and duration_ms * 2 > 100", layout: layout, location: "bench")
        let pages: [FieldValue] = [.string(" Home "), .string("about"), .string("HOME"), .null,
                                   .string("  a rather longer page name that is not inline  ")]
        let count = 1_000_000
        var rows: [FieldValue] = []
        rows.reserveCapacity(count * 2)
        for index in 0..<count {
            rows.append(pages[index % pages.count])
            rows.append(index % 7 == 0 ? .null : .int(Int64(index % 120)))
        }
        let context = ExpressionContext(batchTimeMicros: 0)
        var kept = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for index in 0..<count where try compiled.evaluate(rows[index * 2..<index * 2 + 2], context) == .bool(true) {
                kept += 1
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("benchmark: \(count) evaluations in \(elapsed), \(Int(Double(count) / seconds)) evaluations/s, kept \(kept)")
        #expect(kept == expectedKept(count: count, pages: pages.count))
    }

    private func expectedKept(count: Int, pages: Int) -> Int {
        (0..<count).filter { index in
            let page = index % pages
            return (page == 0 || page == 2) && index % 7 != 0 && (index % 120) * 2 > 100
        }.count
    }
}
