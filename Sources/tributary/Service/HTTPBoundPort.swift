import Synchronization

/// The port an `HTTPEndpoint` listens on, for callers that must wait until it is bound (port
/// 0 picks any free port). Set once; every waiter, earlier or later, gets the same result.
final class HTTPBoundPort: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Int, any Error>])
        case done(Result<Int, any Error>)
    }

    private let state = Mutex<(next: Int, state: State)>((0, .waiting([:])))

    /// Resolves the port (or the bind failure) for every waiter. Later calls are ignored.
    func resolve(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { box in
            guard case .waiting(let waiters) = box.state else { return [] }
            box.state = .done(result)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The bound port; throws the bind error, or `CancellationError` when the waiting task
    /// is cancelled first.
    func value() async throws -> Int {
        let id = state.withLock { box in
            box.next += 1
            return box.next
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let ready: Result<Int, any Error>? = state.withLock { box in
                    switch box.state {
                    case .done(let result):
                        return result
                    case .waiting(var waiters):
                        // Cancelled before we got here: the handler found nothing to remove.
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        box.state = .waiting(waiters)
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Int, any Error>? = state.withLock { box in
                guard case .waiting(var waiters) = box.state, let waiter = waiters.removeValue(forKey: id) else { return nil }
                box.state = .waiting(waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
