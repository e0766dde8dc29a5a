import Tributary

/// The `tributary bench` pipeline's per-record parts, built the way the engine builds them:
/// its 7-field schema, the two columns its `set` steps add, the compiled transform
/// expressions and the writer of the output rows.
struct HotPathPipeline: Sendable {
    /// The row columns: the schema's fields, then `test_day` and `passed`, which the decoder
    /// leaves null for the transforms to fill (as `TransformChain` lays rows out).
    static let columns: [SchemaField] = {
        var columns = [
            SchemaField(name: "id", type: .string, required: true),
            SchemaField(name: "name", type: .string),
            SchemaField(name: "city", type: .string),
            SchemaField(name: "country", type: .string),
            SchemaField(name: "birth_date", type: .timestamp),
            SchemaField(name: "test_time", type: .timestamp, required: true),
            SchemaField(name: "result", type: .double),
        ]
        // Only the writer reads these three, so the engine keeps them as their input text
        // (`SchemaField.keepsText`); the transforms read `country`.
        for index in 0..<3 { columns[index].keepsText = true }
        for (name, type) in [("test_day", FieldType.string), ("passed", .bool)] {
            var column = SchemaField(name: name, type: type)
            column.isExternal = true
            columns.append(column)
        }
        return columns
    }()

    /// Row positions of the columns the transforms write.
    static let country = 3, testDay = 7, passed = 8

    /// The benchmark's transforms, as in `tributary bench`'s configuration.
    static let filterSource = "result >= 10"
    static let countrySource = "upper(country)"
    static let testDaySource = "format_time(test_time, '%Y-%m-%d')"
    static let passedSource = "result >= 50"

    let decoder = RecordDecoder(schema: Schema(fields: columns))
    let filter: CompiledExpression
    let upperCountry: CompiledExpression
    let testDay: CompiledExpression
    let passed: CompiledExpression
    /// Writes all nine columns, as the file sink does for this pipeline (no `rename` or `drop`).
    let writer = ProjectedRowWriter(columns: columns.enumerated().map { ($1.name, $0) })
    /// Writes the seven schema fields.
    let lineWriter = JSONLineWriter(schema: Schema(fields: Array(columns.prefix(7))))
    let context = ExpressionContext(batchTimeMicros: 1_763_625_600_000_000)

    init() {
        let layout = ExpressionLayout(fields: Self.columns.map { ($0.name, $0.type) })
        func compile(_ source: String, _ location: String) -> CompiledExpression {
            do {
                return try ExpressionCompiler.compile(source, layout: layout, location: location)
            } catch {
                fatalError("the benchmark expression \(source) does not compile (\(error)); fix it in HotPathPipeline.swift")
            }
        }
        filter = compile(Self.filterSource, "transform[0].filter")
        upperCountry = compile(Self.countrySource, "transform[1].set.country")
        testDay = compile(Self.testDaySource, "transform[1].set.test_day")
        passed = compile(Self.passedSource, "transform[2].set.passed")
    }

    /// Decodes every record of `records` into a new buffer; stops the process on a failure,
    /// since every generated record is valid.
    func decodeAll(_ records: SampleRecords) -> RowBuffer {
        var rows = RowBuffer(width: Self.columns.count)
        records.forEachLine { line in
            if let failure = rows.withStorage({ decoder.decode(line, into: &$0) }) {
                fatalError("a generated record does not decode (\(failure.reason)); fix SampleRecords.swift")
            }
        }
        return rows
    }

    /// Runs the three transform steps on every row in place, as `TransformChain` does: the
    /// filter, then `country` and `test_day` computed from the incoming row before either is
    /// stored, then `passed`. Returns how many rows the filter kept.
    func transform(_ rows: inout RowBuffer) throws(ExpressionRuntimeError) -> Int {
        var kept = 0
        for row in 0..<rows.count {
            guard try filter.evaluate(rows[row], context) == .bool(true) else { continue }
            kept += 1
            let country = try upperCountry.evaluate(rows[row], context)
            let day = try testDay.evaluate(rows[row], context)
            rows.set(country, row: row, field: Self.country)
            rows.set(day, row: row, field: Self.testDay)
            rows.set(try passed.evaluate(rows[row], context), row: row, field: Self.passed)
        }
        return kept
    }
}
