/// Walks the transform steps, tracking which name and type each row column has after each
/// step, and compiles every expression against the layout of its step.
struct TransformCompiler {
    let config: TributaryConfig
    var columns: [SchemaField]
    /// The name each column answers to now (nil: dropped, or a metadata column).
    var names: [String?]
    var types: [FieldType]
    var metadataColumns: [TransformChain.MetadataColumn] = []
    var steps: [CompiledTransform] = []
    var problems: [ConfigError.Problem] = []
    var referencedMetadata: [RecordMetadata] = []
    var routes: [CompiledExpression?] = []
    var keys: [CompiledExpression?] = []
    var partitionColumns: [Int?] = []
    private var dedupeCount = 0

    init(config: TributaryConfig, metadata: [RecordMetadata]) {
        self.config = config
        columns = config.schema.fields
        names = columns.map(\.name)
        types = columns.map(\.type)
        for kind in metadata {
            metadataColumns.append(.init(index: columns.count, metadata: kind))
            var field = SchemaField(name: "@" + kind.rawValue, type: kind.type)
            field.isExternal = true
            columns.append(field)
            names.append(nil)
            types.append(kind.type)
        }
    }

    /// The layout expressions see: current names, metadata columns as `@name`, and
    /// unreachable placeholders for dropped columns.
    var layout: ExpressionLayout {
        ExpressionLayout(fields: columns.indices.map { index in
            if let name = names[index] { return (name, types[index]) }
            if columns[index].name.hasPrefix("@") { return (columns[index].name, types[index]) }
            return ("\u{1}dropped\(index)", types[index])
        })
    }

    mutating func run() {
        for (index, step) in config.transforms.enumerated() { compile(step, at: "transform[\(index)]") }
        compileSinks()
    }

    func chain() -> TransformChain? {
        let output = columns.indices.compactMap { index in
            names[index].map { TransformChain.OutputColumn(name: $0, type: types[index], index: index) }
        }
        var columns = self.columns
        let read = readColumns()
        for index in columns.indices where columns[index].type == .string && !columns[index].isExternal && !read.contains(index) {
            columns[index].keepsText = true
        }
        return TransformChain(columns: columns, metadataColumns: metadataColumns, steps: steps, output: output,
                              routes: routes, keys: keys, partitionColumns: partitionColumns)
    }

    /// The row positions something other than a writer reads: expressions of every step,
    /// route and key, `default` and cast-to-json targets, dedupe keys and `partition_by`.
    private func readColumns() -> Set<Int> {
        var read = Set<Int>()
        for step in steps {
            switch step {
            case .filter(let expression, _): read.formUnion(expression.referencedColumns)
            case .set(let targets, _): read.formUnion(targets.referencedColumns)
            case .defaults(let defaults): read.formUnion(defaults.map(\.index))
            case .toJSON(let indexes): read.formUnion(indexes)
            case .dedupe(let keys, _, _, _): read.formUnion(keys)
            }
        }
        for expression in routes.compactMap({ $0 }) + keys.compactMap({ $0 }) { read.formUnion(expression.referencedColumns) }
        read.formUnion(partitionColumns.compactMap { $0 })
        return read
    }

    // MARK: Steps

    private mutating func compile(_ step: TransformStep, at location: String) {
        switch step {
        case .filter(let source):
            guard let expression = expression(source, at: location + ".filter") else { return }
            requireBool(expression, at: location + ".filter")
            steps.append(.filter(expression, location: location + ".filter"))
        case .set(let assignments):
            compileSet(assignments, at: location + ".set")
        case .rename(let pairs):
            for (from, to) in pairs {
                guard let index = column(from, at: "\(location).rename.\(from)") else { continue }
                if from != to, let clash = names.firstIndex(of: to) {
                    report("\(location).rename.\(from)", "cannot rename to '\(to)': a field '\(to)' already exists (column \(clash + 1)); drop it first")
                    continue
                }
                names[index] = to
            }
        case .drop(let fields):
            for field in fields {
                if let index = column(field, at: "\(location).drop") { names[index] = nil }
            }
        case .cast(let casts):
            compileCasts(casts, at: location + ".cast")
        case .defaults(let defaults):
            compileDefaults(defaults, at: location + ".default")
        case let .dedupe(keyFields, within):
            let indexes = keyFields.compactMap { column($0, at: "\(location).dedupe.key") }
            guard indexes.count == keyFields.count else { return }
            steps.append(.dedupe(keys: indexes, within: within, ordinal: dedupeCount, location: location + ".dedupe"))
            dedupeCount += 1
        }
    }

    private mutating func compileSet(_ assignments: [(field: String, expression: String)], at location: String) {
        // Every expression sees the record as it enters the step.
        var compiled: [(String, CompiledExpression)] = []
        for (field, source) in assignments {
            guard let expression = expression(source, at: "\(location).\(field)") else { continue }
            guard case .value = expression.type else {
                report("\(location).\(field)", "the expression is always null, so its type is unknown; write a typed expression such as string(null)")
                continue
            }
            compiled.append((field, expression))
        }
        var targets: [(index: Int, expression: CompiledExpression)] = []
        for (field, expression) in compiled {
            guard case .value(let type) = expression.type else { continue }
            if let index = names.firstIndex(of: field) {
                types[index] = type
                targets.append((index, expression))
            } else {
                var column = SchemaField(name: field, type: type)
                column.isExternal = true
                columns.append(column)
                names.append(field)
                types.append(type)
                targets.append((columns.count - 1, expression))
            }
        }
        if !targets.isEmpty { steps.append(.set(SetTargets(targets), location: location)) }
    }

    private mutating func compileCasts(_ casts: [(field: String, type: FieldType)], at location: String) {
        var targets: [(index: Int, expression: CompiledExpression)] = []
        var toJSON: [Int] = []
        for (field, type) in casts {
            guard let index = column(field, at: "\(location).\(field)") else { continue }
            types[index] = type
            if type == .json {
                toJSON.append(index)
                continue
            }
            // A cast is the conversion function of its type applied to the field.
            let function = type == .timestamp ? "to_timestamp" : type.rawValue
            let source = "\(function)(`\(field.replacingOccurrences(of: "`", with: ""))`)"
            guard let expression = expression(source, at: "\(location).\(field)") else { continue }
            targets.append((index, expression))
        }
        if !targets.isEmpty { steps.append(.set(SetTargets(targets), location: location)) }
        if !toJSON.isEmpty { steps.append(.toJSON(toJSON)) }
    }

    private mutating func compileDefaults(_ defaults: [(field: String, value: FieldValue)], at location: String) {
        var targets: [(index: Int, value: FieldValue)] = []
        for (field, literal) in defaults {
            guard let index = column(field, at: "\(location).\(field)") else { continue }
            guard let value = Self.convert(literal, to: types[index]) else {
                report("\(location).\(field)", "the default \(literal) does not fit field '\(field)' of type \(types[index])")
                continue
            }
            targets.append((index, value))
        }
        if !targets.isEmpty { steps.append(.defaults(targets)) }
    }

    /// A TOML literal as a value of the field's type, when it fits.
    static func convert(_ literal: FieldValue, to type: FieldType) -> FieldValue? {
        switch (literal, type) {
        case (.string, .string), (.int, .int), (.double, .double), (.bool, .bool): return literal
        case (.int(let number), .double): return .double(Double(number))
        case (.string(let text), .timestamp): return TimestampFormat.parse(text).map { .timestamp($0) }
        case (.int(let millis), .timestamp): return .timestamp(millis * 1000)
        case (.string(let text), .json):
            var buffer: [UInt8] = []
            JSONLineWriter.appendQuoted(text, to: &buffer)
            return .json(String(decoding: buffer, as: UTF8.self))
        case (.int(let number), .json): return .json(String(number))
        case (.bool(let flag), .json): return .json(String(flag))
        default: return nil
        }
    }

    // MARK: Sinks

    private mutating func compileSinks() {
        let outputNames = Set(names.compactMap { $0 })
        for (index, sink) in config.sinks.enumerated() {
            let location = "sink[\(index)] (\(sink.name))"
            var route: CompiledExpression?
            if let when = sink.when, let expression = expression(when, at: "\(location).when") {
                requireBool(expression, at: "\(location).when")
                route = expression
            }
            routes.append(route)
            var key: CompiledExpression?
            var partition: Int?
            switch sink.kind {
            case .kafka(let kafka):
                if let source = kafka.key { key = expression(source, at: "\(location).key") }
            case .files(_, let partitionBy?):
                if outputNames.contains(partitionBy) {
                    partition = names.firstIndex(of: partitionBy)
                } else {
                    report("\(location).partition_by", "'\(partitionBy)' is not an output field\(suggestion(partitionBy, among: Array(outputNames)))")
                }
            default:
                break
            }
            keys.append(key)
            partitionColumns.append(partition)
        }
    }

    // MARK: Helpers

    private mutating func expression(_ source: String, at location: String) -> CompiledExpression? {
        do {
            let compiled = try ExpressionCompiler.compile(source, layout: layout, location: location)
            for column in compiled.referencedColumns {
                if let metadata = metadataColumns.first(where: { $0.index == column })?.metadata, !referencedMetadata.contains(metadata) {
                    referencedMetadata.append(metadata)
                }
            }
            return compiled
        } catch {
            problems.append(ConfigError.Problem(key: error.location, message: "\(error.message) at column \(error.column)" + (error.token.isEmpty ? "" : " ('\(error.token)')") + " in \"\(source)\""))
            return nil
        }
    }

    private mutating func requireBool(_ expression: CompiledExpression, at location: String) {
        switch expression.type {
        case .value(.bool), .null: break
        case .value(let type): report(location, "must be true or false, but this expression gives a \(type)")
        }
    }

    private mutating func column(_ name: String, at location: String) -> Int? {
        if let index = names.firstIndex(of: name) { return index }
        report(location, "no field '\(name)' at this step\(suggestion(name, among: names.compactMap { $0 }))")
        return nil
    }

    private func suggestion(_ name: String, among candidates: [String]) -> String {
        guard let best = candidates.min(by: { editDistance($0, name) < editDistance($1, name) }),
              editDistance(best, name) <= 2 else { return "" }
        return " (did you mean '\(best)'?)"
    }

    private mutating func report(_ key: String, _ message: String) {
        problems.append(ConfigError.Problem(key: key, message: message))
    }
}

extension RecordMetadata {
    /// The type of the metadata column.
    var type: FieldType {
        switch self {
        case .origin, .topic, .key, .file: return .string
        case .partition, .offset, .line, .byteOffset: return .int
        case .timestamp: return .timestamp
        }
    }
}
