import Logging
import Synchronization

/// The level every logger made by `bootstrapLogging` follows unless its own level was set,
/// changeable while running so that a reload (SIGHUP) can apply a new `log_level`.
final class LogLevelControl: Sendable {
    /// The one the `tributary` command's handlers follow.
    static let shared = LogLevelControl(.info)

    private let raw: Atomic<Int>

    /// A control starting at `level`.
    init(_ level: Logger.Level) {
        raw = Atomic(Self.index(of: level))
    }

    /// The current level.
    var level: Logger.Level {
        get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.index(of: newValue), ordering: .relaxed) }
    }

    private static func index(of level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level)!
    }
}
