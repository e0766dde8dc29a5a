import NIOCore
import NIOHTTP1

/// Answers one request per connection from `HTTPRoutes`, then closes the connection. The
/// request body is ignored; only the head matters. Closes a connection idle for the read
/// timeout of the `IdleStateHandler` before it.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: HTTPRoutes
    /// The head of the request being read, until its end arrives.
    private var head: HTTPRequestHead?
    /// Set once the reply is written: anything after it (a pipelined request) is ignored.
    private var answered = false

    init(routes: HTTPRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head, !answered else { return }
            answered = true
            respond(context: context, head: head, reply: routes.reply(method: head.method, uri: head.uri))
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, reply: HTTPReply) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        headers.add(name: "Connection", value: "close")
        for header in reply.headers { headers.add(name: header.name, value: header.value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: reply.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        // Close only once the reply is on the wire: closing earlier would drop unsent bytes.
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The idle handler's read timeout: the request never completed.
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a malformed request (the pipeline's error handler has answered 400).
        context.close(promise: nil)
    }
}
