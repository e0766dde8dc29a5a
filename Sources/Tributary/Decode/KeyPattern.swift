/// An object key as the input spells it when it matches a trie node in place: the name's bytes
/// and the closing quote, as at most two little-endian words, each with a mask of the bytes
/// that count. Matching the key expected next is then one or two loads and compares, instead
/// of reading the node's name from the trie and comparing it piece by piece.
struct KeyPattern: Sendable {
    /// The node whose name this is.
    var node: Int
    /// The name's bytes and the quote: 1 to 16, or 0 when the name cannot be matched this way
    /// (longer than 15 bytes, or written escaped in JSON).
    var length: Int
    var first: UInt64 = 0
    var firstMask: UInt64 = 0
    var second: UInt64 = 0
    var secondMask: UInt64 = 0

    /// The pattern of `node`, named by `name`, whose JSON text is its bytes when `isVerbatim`.
    init(node: Int, name: some Collection<UInt8>, isVerbatim: Bool) {
        self.node = node
        let bytes = Array(name) + [JSONByte.quote]
        guard isVerbatim, bytes.count <= 16 else {
            length = 0
            return
        }
        length = bytes.count
        for (index, byte) in bytes.enumerated() {
            let shift = UInt64(index % 8) * 8
            if index < 8 {
                first |= UInt64(byte) << shift
                firstMask |= 0xFF << shift
            } else {
                second |= UInt64(byte) << shift
                secondMask |= 0xFF << shift
            }
        }
    }

    /// Whether the `available` bytes at `key` start with the name and its closing quote, or
    /// nil when this pattern cannot tell (no pattern, or too few bytes to load its words).
    @inline(__always)
    func matches(_ key: UnsafeRawPointer, available: Int) -> Bool? {
        if length == 0 { return nil }
        if length <= 8 {
            guard available >= 8 else { return nil }
            return UInt64(littleEndian: key.loadUnaligned(as: UInt64.self)) & firstMask == first
        }
        guard available >= 16 else { return nil }
        return UInt64(littleEndian: key.loadUnaligned(as: UInt64.self)) & firstMask == first
            && UInt64(littleEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) & secondMask == second
    }
}
