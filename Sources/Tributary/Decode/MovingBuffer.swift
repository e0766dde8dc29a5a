/// Initialized values in memory the caller owns, handed to an array by moving each one out
/// (`array.append(contentsOf:)`): the memory is uninitialized once they are all taken.
///
/// The decoder builds a row's values first and appends them together: an array checks that
/// its storage is its own on every `append`, a call per value, and once per `append(contentsOf:)`.
struct MovingBuffer<Element>: Sequence {
    let start: UnsafeMutablePointer<Element>
    let count: Int

    var underestimatedCount: Int { count }

    func makeIterator() -> Iterator { Iterator(position: start, end: start + count) }

    struct Iterator: IteratorProtocol {
        var position: UnsafeMutablePointer<Element>
        let end: UnsafeMutablePointer<Element>

        mutating func next() -> Element? {
            guard position < end else { return nil }
            defer { position += 1 }
            return position.move()
        }
    }
}
