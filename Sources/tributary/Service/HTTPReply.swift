import NIOHTTP1

/// One complete answer of the HTTP endpoint: status, content type and body, plus any extra
/// headers (`Allow` for 405). The handler adds `Content-Length` and `Connection: close`.
struct HTTPReply: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]
    var headers: [(name: String, value: String)] = []

    /// A plain-text reply of one line (the newline is added).
    static func text(_ status: HTTPResponseStatus, _ line: String, headers: [(name: String, value: String)] = []) -> HTTPReply {
        HTTPReply(status: status, contentType: "text/plain; charset=utf-8", body: Array((line + "\n").utf8), headers: headers)
    }
}
