import Foundation
import Logging
import Synchronization

/// The configuration's secret values (`${NAME}` and `${credential:NAME}` substitutions),
/// replaced by `***` in every log line and in the error a command ends with, whichever part
/// of the program (or librdkafka) wrote them.
final class LogRedaction: Sendable {
    /// The one the `tributary` command's log handlers and error output use.
    static let shared = LogRedaction()

    // Longest first, so that a secret containing another is replaced whole.
    private let secrets = Mutex<[String]>([])

    /// Replaces the secrets; called once a configuration is loaded, and again on reload.
    func update(_ values: Set<String>) {
        let sorted = values.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        secrets.withLock { $0 = sorted }
    }

    /// Adds the secrets of a configuration read again (SIGHUP); the earlier ones stay, since
    /// they are in use until the new configuration applies.
    func include(_ values: Set<String>) {
        let known = secrets.withLock { Set($0) }
        update(known.union(values))
    }

    /// `text` with every secret replaced by `***`.
    func redact(_ text: String) -> String {
        let values = secrets.withLock { $0 }
        guard !values.isEmpty else { return text }
        var text = text
        for value in values where text.contains(value) {
            text = text.replacingOccurrences(of: value, with: "***")
        }
        return text
    }

    /// `metadata` with secrets replaced in every value.
    func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        guard !secrets.withLock({ $0.isEmpty }) else { return metadata }
        return metadata.mapValues(redact)
    }

    private func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): return .string(redact(text))
        case .stringConvertible(let item): return .string(redact(item.description))
        case .array(let items): return .array(items.map(redact))
        case .dictionary(let items): return .dictionary(items.mapValues(redact))
        }
    }
}
