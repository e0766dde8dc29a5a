import TOMLKit

/// Problems found while reading a configuration, and the values that came from the
/// environment (secrets, to be masked wherever the configuration is shown).
final class ConfigDiagnostics {
    var problems: [ConfigError.Problem] = []
    var secrets: Set<String> = []
    let environment: [String: String]

    init(environment: [String: String]) { self.environment = environment }

    func report(_ key: String, _ message: String) {
        problems.append(ConfigError.Problem(key: key, message: message))
    }
}

/// Reads one TOML table with strict checks: every key read is remembered, so `finish()` can
/// report the keys nobody asked for (typos) with a suggestion; wrong types are reported with
/// the key path and the expected type. Problems are collected, not thrown, so a user sees
/// all of them at once.
final class TOMLReader {
    let table: TOMLTable
    let path: String
    let diagnostics: ConfigDiagnostics
    private var known: Set<String> = []

    init(_ table: TOMLTable, path: String, diagnostics: ConfigDiagnostics) {
        self.table = table
        self.path = path
        self.diagnostics = diagnostics
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool {
        known.insert(key)
        return table.contains(key: key)
    }

    private func value(_ key: String, required: Bool) -> (any TOMLValueConvertible)? {
        known.insert(key)
        guard let value = table[key] else {
            if required { diagnostics.report(keyPath(key), "is required but missing") }
            return nil
        }
        return value
    }

    private func wrongType(_ key: String, _ expected: String, _ value: any TOMLValueConvertible) {
        diagnostics.report(keyPath(key), "expected \(expected), got \(value.type) \(value.debugDescription.prefix(40))")
    }

    /// A string, with `${NAME}` replaced by environment variable NAME.
    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard let text = value.string else {
            wrongType(key, "a string", value)
            return nil
        }
        return substitute(text, key: keyPath(key))
    }

    func int(_ key: String, min: Int64 = .min) -> Int64? {
        guard let value = value(key, required: false) else { return nil }
        guard let number = value.int else {
            wrongType(key, "an integer", value)
            return nil
        }
        guard Int64(number) >= min else {
            diagnostics.report(keyPath(key), "must be at least \(min), got \(number)")
            return nil
        }
        return Int64(number)
    }

    func bool(_ key: String) -> Bool? {
        guard let value = value(key, required: false) else { return nil }
        guard let flag = value.bool else {
            wrongType(key, "true or false", value)
            return nil
        }
        return flag
    }

    /// A duration written as a string: "250ms", "5s", "15m", "2h", "7d".
    func duration(_ key: String) -> Duration? {
        guard let text = string(key) else { return nil }
        guard let duration = ConfigValues.duration(text) else {
            diagnostics.report(keyPath(key), "'\(text)' is not a duration; write it like \"250ms\", \"5s\", \"15m\", \"2h\" or \"7d\"")
            return nil
        }
        return duration
    }

    /// A size, as an integer number of bytes or a string like "64MB" or "1GiB".
    func bytes(_ key: String) -> Int64? {
        guard let value = value(key, required: false) else { return nil }
        if let number = value.int { return Int64(number) }
        guard let text = value.string, let bytes = ConfigValues.bytes(text) else {
            diagnostics.report(keyPath(key), "'\(value.debugDescription)' is not a size; write bytes as a number or a string like \"64MB\" or \"1GiB\"")
            return nil
        }
        return bytes
    }

    func stringArray(_ key: String) -> [String]? {
        guard let value = value(key, required: false) else { return nil }
        guard let array = value.array else {
            wrongType(key, "an array of strings", value)
            return nil
        }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.string else {
                diagnostics.report("\(keyPath(key))[\(index)]", "expected a string, got \(element.type)")
                continue
            }
            result.append(substitute(text, key: keyPath(key)))
        }
        return result
    }

    func table(_ key: String) -> TOMLReader? {
        guard let value = value(key, required: false) else { return nil }
        guard let table = value.table else {
            wrongType(key, "a table", value)
            return nil
        }
        return TOMLReader(table, path: keyPath(key), diagnostics: diagnostics)
    }

    /// An array of tables (`[[name]]` or `name = [{...}, {...}]`).
    func tables(_ key: String) -> [TOMLReader]? {
        guard let value = value(key, required: false) else { return nil }
        guard let array = value.array else {
            wrongType(key, "an array of tables", value)
            return nil
        }
        var result: [TOMLReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                diagnostics.report("\(keyPath(key))[\(index)]", "expected a table like { name = \"...\" }, got \(element.type)")
                continue
            }
            result.append(TOMLReader(table, path: "\(keyPath(key))[\(index)]", diagnostics: diagnostics))
        }
        return result
    }

    /// A table of free-form keys whose values are strings, numbers or booleans, as text
    /// (librdkafka properties, field mappings).
    func textTable(_ key: String) -> [String: String]? {
        guard let reader = table(key) else { return nil }
        var result: [String: String] = [:]
        for (name, value) in reader.table {
            reader.known.insert(name)
            if let text = value.string {
                result[name] = reader.substitute(text, key: reader.keyPath(name))
            } else if let number = value.int {
                result[name] = String(number)
            } else if let flag = value.bool {
                result[name] = String(flag)
            } else if let number = value.double {
                result[name] = String(number)
            } else {
                diagnostics.report(reader.keyPath(name), "expected a string, number or boolean, got \(value.type)")
            }
        }
        return result
    }

    /// Reports keys of this table that were never read, with the closest known key.
    func finish() {
        for (key, _) in table where !known.contains(key) {
            var message = "unknown key"
            if let suggestion = known.min(by: { editDistance($0, key) < editDistance($1, key) }),
               editDistance(suggestion, key) <= max(2, key.count / 3) {
                message += " (did you mean '\(suggestion)'?)"
            } else if !known.isEmpty {
                message += " (known keys here: \(known.sorted().joined(separator: ", ")))"
            }
            diagnostics.report(keyPath(key), message)
        }
    }

    /// Replaces `${NAME}` with environment variable NAME, and `${credential:NAME}` with the
    /// content of systemd's `$CREDENTIALS_DIRECTORY/NAME`. The values are remembered as secrets.
    func substitute(_ text: String, key: String) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                diagnostics.report(key, "unterminated ${ in '\(text)'; write ${NAME}")
                return text
            }
            let name = String(rest[open.upperBound..<close])
            if let value = lookup(name, key: key) {
                result += value
                if !value.isEmpty { diagnostics.secrets.insert(value) }
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private func lookup(_ name: String, key: String) -> String? {
        if name.hasPrefix("credential:") {
            let credential = String(name.dropFirst("credential:".count))
            guard let folder = diagnostics.environment["CREDENTIALS_DIRECTORY"] else {
                diagnostics.report(key, "${\(name)} needs systemd's CREDENTIALS_DIRECTORY (set LoadCredential=\(credential):... in the unit)")
                return nil
            }
            guard let bytes = try? AtomicFile.read("\(folder)/\(credential)") else {
                diagnostics.report(key, "credential '\(credential)' is not in \(folder); check LoadCredential= in the unit")
                return nil
            }
            var text = String(decoding: bytes, as: UTF8.self)
            while text.last == "\n" { text.removeLast() }
            return text
        }
        guard let value = diagnostics.environment[name] else {
            diagnostics.report(key, "environment variable \(name) is not set; export it or set it with Environment=/EnvironmentFile= in the unit")
            return nil
        }
        return value
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
