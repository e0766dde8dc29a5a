import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM without killing the process, so the caller can shut down in
/// order.
enum ShutdownSignal {
    /// Suspends until SIGINT or SIGTERM arrives and returns its name; nil when the waiting
    /// task is cancelled first.
    static func wait() async -> String? {
        let (signals, continuation) = AsyncStream<String>.makeStream()
        let queue = DispatchQueue(label: "tributary.signals")
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            // Ignored by default handling so that the dispatch source, not the kernel's
            // default action, sees the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        var iterator = signals.makeAsyncIterator()
        // An AsyncStream's next() returns nil when the waiting task is cancelled.
        let name = await iterator.next()
        sources.forEach { $0.cancel() }
        return name
    }
}
