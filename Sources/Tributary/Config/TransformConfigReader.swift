import TOMLKit

/// Reads `[[transform]]`: each entry holds exactly one step (`filter`, `set`, `rename`,
/// `drop`, `cast`, `default`, `dedupe`). Expressions are only read here; they are parsed and
/// type-checked when the chain is compiled.
enum TransformConfigReader {
    static let stepNames = ["filter", "set", "rename", "drop", "cast", "default", "dedupe"]

    static func read(_ root: TOMLReader) -> [TransformStep] {
        guard root.has("transform") else { return [] }
        var steps: [TransformStep] = []
        for entry in root.tables("transform") ?? [] {
            defer { entry.finish() }
            let present = stepNames.filter { entry.table.contains(key: $0) }
            guard present.count == 1, let name = present.first else {
                entry.diagnostics.report(entry.path, present.isEmpty
                    ? "a transform step needs one of \(stepNames.joined(separator: ", "))"
                    : "one step per [[transform]]: found \(present.joined(separator: " and ")); split them into separate [[transform]] entries")
                for key in present { _ = entry.has(key) }
                continue
            }
            if let step = readStep(name, entry) { steps.append(step) }
        }
        return steps
    }

    private static func readStep(_ name: String, _ entry: TOMLReader) -> TransformStep? {
        switch name {
        case "filter":
            return entry.string("filter").map(TransformStep.filter)
        case "set":
            return entry.textTable("set").map { table in .set(table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }
        case "rename":
            return entry.textTable("rename").map { table in .rename(table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }
        case "drop":
            return entry.stringArray("drop").map(TransformStep.drop)
        case "cast":
            return readCast(entry)
        case "default":
            return readDefaults(entry)
        default:
            return readDedupe(entry)
        }
    }

    private static func readCast(_ entry: TOMLReader) -> TransformStep? {
        guard let table = entry.textTable("cast") else { return nil }
        var casts: [(String, FieldType)] = []
        for (field, typeName) in table.sorted(by: { $0.key < $1.key }) {
            guard let type = FieldType(rawValue: typeName) else {
                entry.diagnostics.report("\(entry.keyPath("cast")).\(field)", "unknown type '\(typeName)'; use one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            casts.append((field, type))
        }
        return .cast(casts)
    }

    private static func readDefaults(_ entry: TOMLReader) -> TransformStep? {
        guard let reader = entry.table("default") else { return nil }
        defer { reader.finish() }
        var defaults: [(String, FieldValue)] = []
        for (field, value) in reader.table {
            _ = reader.has(field)
            if let text = value.string {
                defaults.append((field, .string(text)))
            } else if let number = value.int {
                defaults.append((field, .int(Int64(number))))
            } else if let number = value.double {
                defaults.append((field, .double(number)))
            } else if let flag = value.bool {
                defaults.append((field, .bool(flag)))
            } else {
                reader.diagnostics.report(reader.keyPath(field), "a default must be a string, number or boolean literal")
            }
        }
        return .defaults(defaults.sorted { $0.0 < $1.0 })
    }

    private static func readDedupe(_ entry: TOMLReader) -> TransformStep? {
        guard let reader = entry.table("dedupe") else { return nil }
        defer { reader.finish() }
        let keys = reader.stringArray("key")
        if keys?.isEmpty ?? true { reader.diagnostics.report(reader.keyPath("key"), "is required: the fields that identify a record, e.g. key = [\"visit_id\"]") }
        let within = reader.duration("within")
        if !reader.has("within") { reader.diagnostics.report(reader.keyPath("within"), "is required: how long a key is remembered, e.g. within = \"1h\"") }
        guard let keys, !keys.isEmpty, let within else { return nil }
        return .dedupe(keys: keys, within: within)
    }
}
