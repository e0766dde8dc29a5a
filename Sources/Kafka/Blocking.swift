import Dispatch

/// Runs blocking work (librdkafka calls) on a Dispatch thread, so that it never occupies a
/// thread of the Swift concurrency pool, and resumes the caller with its result.
func runBlocking<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Swift.Result { try work() })
        }
    }
}
