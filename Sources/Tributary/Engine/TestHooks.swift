import Foundation

/// Pauses at phase boundaries when `TRIBUTARY_TEST_PHASE_DELAY_MS` is set, so crash tests can
/// land kills inside write-ahead, sink and commit windows. Costs one branch when unset.
enum TestHooks {
    static let phaseDelayMicroseconds: UInt32 = {
        guard let text = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_PHASE_DELAY_MS"], let value = UInt32(text) else { return 0 }
        return value * 1000
    }()

    static func pause() {
        if phaseDelayMicroseconds > 0 { usleep(phaseDelayMicroseconds) }
    }
}

extension TestHooks {
    /// Blocks the loop, without heartbeats, while the file named by
    /// `TRIBUTARY_TEST_WEDGE_FILE` exists: how tests see the watchdog stop.
    static func wedgeWhileAsked() {
        guard let path = wedgeFile else { return }
        while FileManager.default.fileExists(atPath: path) { usleep(50_000) }
    }

    private static let wedgeFile = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_WEDGE_FILE"]
}
