import Glibc

/// Walks the newline-separated lines of a byte buffer.
struct CheckpointLineCursor {
    struct Line {
        /// The bytes of the line without its newline.
        let range: Range<Int>
        /// 1-based line number.
        let number: Int
        /// Whether a newline ends the line.
        let terminated: Bool
        /// Whether no bytes follow the line.
        let isLast: Bool
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var number = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func next() -> Line? {
        guard position < bytes.count, let base = bytes.baseAddress else { return nil }
        let start = position
        let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
        let end = newline.map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? bytes.count
        position = newline == nil ? end : end + 1
        number += 1
        return Line(range: start..<end, number: number, terminated: newline != nil, isLast: position == bytes.count)
    }
}
