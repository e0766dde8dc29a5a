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
