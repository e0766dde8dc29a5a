/// The compiled form of a pipeline's `[[transform]]` steps and sink routing, built once at
/// start-up from the schema.
///
/// A batch's rows all have the same columns: the schema's fields, then the metadata columns
/// (`@origin`, `@topic`, ...) that some expression reads, then the fields `set` creates.
/// `rename` and `drop` only change which name reaches which column, so they cost nothing per
/// record; the output is the named columns in column order.
public final class TransformChain: Sendable {
    /// Every column of a row; those not decoded from JSON are `isExternal`.
    let columns: [SchemaField]
    /// Metadata columns to fill while decoding.
    let metadataColumns: [MetadataColumn]
    let steps: [CompiledTransform]
    /// The output columns: name, type, position in the row.
    let output: [OutputColumn]
    /// Per sink, its compiled `when` (nil: every record).
    let routes: [CompiledExpression?]
    /// Per sink, its compiled Kafka `key` (nil: none or not a Kafka sink).
    let keys: [CompiledExpression?]
    /// Per sink, the row position of its `partition_by` column.
    let partitionColumns: [Int?]

    struct MetadataColumn: Sendable {
        let index: Int
        let metadata: RecordMetadata
    }

    struct OutputColumn: Sendable {
        let name: String
        let type: FieldType
        let index: Int
    }

    init(columns: [SchemaField], metadataColumns: [MetadataColumn], steps: [CompiledTransform], output: [OutputColumn],
         routes: [CompiledExpression?], keys: [CompiledExpression?], partitionColumns: [Int?]) {
        self.columns = columns
        self.metadataColumns = metadataColumns
        self.steps = steps
        self.output = output
        self.routes = routes
        self.keys = keys
        self.partitionColumns = partitionColumns
    }

    /// The output as a schema (for writers and `validate`).
    public var outputSchema: Schema {
        Schema(fields: output.map { SchemaField(name: $0.name, type: $0.type) })
    }

    /// The writer for output rows.
    var writer: ProjectedRowWriter { ProjectedRowWriter(columns: output.map { ($0.name, $0.index) }) }

    /// Compiles `config`'s transforms and routes; throws a `ConfigError` listing every problem
    /// (with the step, the column and the token for expression errors).
    public static func compile(_ config: TributaryConfig) throws(ConfigError) -> TransformChain {
        // First with every metadata column on offer, to learn which ones expressions read;
        // then with only those, so rows carry no unused columns.
        var first = TransformCompiler(config: config, metadata: RecordMetadata.allCases)
        first.run()
        guard first.problems.isEmpty else { throw ConfigError(file: config.file, problems: first.problems) }
        var second = TransformCompiler(config: config, metadata: first.referencedMetadata)
        second.run()
        guard second.problems.isEmpty, let chain = second.chain() else {
            throw ConfigError(file: config.file, problems: second.problems)
        }
        return chain
    }
}

/// One compiled step. `rename` and `drop` leave no runtime step.
enum CompiledTransform: Sendable {
    case filter(CompiledExpression, location: String)
    /// Values computed from the row as it enters the step, then stored.
    case set(SetTargets, location: String)
    case defaults([(index: Int, value: FieldValue)])
    /// Values replaced by their JSON text (a cast to json).
    case toJSON([Int])
    /// `dedupe` number `ordinal` (0 for the first dedupe step of the chain).
    case dedupe(keys: [Int], within: Duration, ordinal: Int, location: String)
}
