import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Tributary

/// The HTTP status endpoint (`[http] listen`): `/metrics` (Prometheus), `/healthz` and
/// `/status` (the last progress report), served by NIO on its own event loops until graceful
/// shutdown or cancellation, which closes the listening socket and returns. Connections in
/// flight finish their one reply.
final class HTTPEndpoint: Service, Sendable {
    let address: HTTPAddress
    let routes: HTTPRoutes
    private let group: any EventLoopGroup
    private let logger: Logger
    private let bound = HTTPBoundPort()

    /// An endpoint on `address` (port 0: any free port, see `boundPort()`), answering from
    /// `monitor` and `metrics`; `/healthz` says 503 once stalled or failing for `stallTimeout`.
    init(
        address: HTTPAddress, monitor: EngineMonitor, metrics: PipelineMetrics, stallTimeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tributary.http")
    ) {
        self.address = address
        self.routes = HTTPRoutes(monitor: monitor, metrics: metrics, stallTimeout: stallTimeout)
        self.group = group
        self.logger = logger
    }

    /// The endpoint the configuration asks for (`[http] listen`, `stall_timeout`), or nil
    /// when `[http]` is absent: the endpoint is off by default.
    convenience init?(config: TributaryConfig, monitor: EngineMonitor, metrics: PipelineMetrics) {
        // ConfigLoader has already rejected a listen value that does not parse.
        guard let listen = config.httpListen, let address = HTTPAddress(listen) else { return nil }
        self.init(address: address, monitor: monitor, metrics: metrics, stallTimeout: config.stallTimeout)
    }

    /// The port actually bound, once `run()` has bound it; throws the bind error if it
    /// could not.
    func boundPort() async throws -> Int {
        try await bound.value()
    }

    func run() async throws {
        let routes = self.routes
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    // Runs on the child channel's event loop, so the synchronous pipeline
                    // operations apply (and the handler need not be Sendable).
                    channel.eventLoop.makeCompletedFuture {
                        // A client that never finishes its request must not hold a socket forever.
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(10)))
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(routes: routes))
                    }
                }
                .childChannelOption(.maxMessagesPerRead, value: 1)
                .bind(host: address.host, port: address.port)
                .get()
        } catch {
            bound.resolve(.failure(error))
            throw HTTPEndpointError(address: address, underlying: error)
        }
        let port = channel.localAddress?.port ?? address.port
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        logger.notice("HTTP endpoint listening on \(host):\(port)")
        bound.resolve(.success(port))
        await withTaskCancellationOrGracefulShutdownHandler {
            // Completes once the listening channel is closed, by the handler below or on error.
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        logger.debug("HTTP endpoint on \(host):\(port) closed")
    }
}

/// The endpoint could not listen where it was told to.
struct HTTPEndpointError: Error, CustomStringConvertible {
    let address: HTTPAddress
    let underlying: any Error

    var description: String {
        "cannot listen on \(address.host):\(address.port) for [http] listen: \(underlying); check that the port is free and the address belongs to this machine"
    }
}

extension HTTPEndpoint: CustomStringConvertible {
    // Short, so ServiceLifecycle's description of the group does not reflect over the routes.
    var description: String { "HTTPEndpoint" }
}
