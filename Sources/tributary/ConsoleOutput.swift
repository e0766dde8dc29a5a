import ArgumentParser
import Foundation
import Logging
import Tributary

/// Writing to stdout and stderr, and the conventions the operator commands share.
enum ConsoleOutput {
    /// Writes `text` and a newline to stdout.
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `text` and a newline to stderr, with the configuration's secrets masked.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((LogRedaction.shared.redact(text) + "\n").utf8))
    }

    /// Prints `object` as one pretty JSON document with sorted keys.
    static func printJSON(_ object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    /// `value` as a JSON object (via its Codable form), for embedding checkpoint entries.
    static func jsonObject<T: Encodable>(_ value: T) -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value), let object = try? JSONSerialization.jsonObject(with: data) else { return NSNull() }
        return object
    }

    /// Loads a configuration as `tributary run` does; on problems prints them all and exits
    /// with status 2.
    static func loadConfig(_ path: String) throws -> TributaryConfig {
        do {
            let config = try ConfigLoader.load(file: path)
            LogRedaction.shared.update(config.secrets)
            return config
        } catch let error as ConfigError {
            self.error(error.description)
            throw ExitCode(2)
        }
    }

    /// `text` cut to `limit` characters with "…", control characters escaped so that a record
    /// cannot move the cursor or change the terminal.
    static func clip(_ text: String, _ limit: Int?) -> String {
        var out = ""
        var count = 0
        for character in text {
            if let limit, count >= limit { return out + "…" }
            count += 1
            for scalar in character.unicodeScalars {
                switch scalar {
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                        out += String(format: "\\u%04X", scalar.value)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        return out
    }

    /// Opens the pipeline's engine, taking the checkpoint's lock; while another process (the
    /// service) holds it, says so and exits with status 1.
    static func openEngine(_ pipeline: TributaryConfig) throws -> MicroBatchEngine {
        do {
            return try MicroBatchEngine(config: pipeline, logger: Logger(label: "tributary"))
        } catch let error as CheckpointError where error.code == .locked {
            Self.error("error: \(error)")
            throw ExitCode(1)
        }
    }
}
