/// A borrowed, allocation- and reference-counting-free view of a `PathTrie` for the decoding hot path.
struct PathTrieView {
    let nodes: UnsafeBufferPointer<PathTrie.Node>
    let names: UnsafeRawBufferPointer
    let children: UnsafeBufferPointer<Int>
    /// `children[i]`'s name as a `KeyPattern`.
    let patterns: UnsafeBufferPointer<KeyPattern>
    let table: UnsafeBufferPointer<Int>

    /// The end of `node`'s subtree in preorder: its descendants are `node + 1..<subtreeEnd(node)`.
    @inline(__always)
    func subtreeEnd(_ node: Int) -> Int {
        nodes[node].subtreeEnd
    }

    /// The child of `node` named by the UTF-8 `key`, or -1.
    /// `hint` is the child position expected next (records tend to repeat their key order); it is advanced on a match.
    @inline(__always)
    func child(of node: Int, key: UnsafeRawPointer, count: Int, hint: inout Int) -> Int {
        let info = nodes[node]
        if hint < info.childCount {
            let candidate = children[info.childStart + hint]
            if nameEquals(candidate, key, count) {
                hint += 1
                return candidate
            }
        }
        if info.tableMask >= 0 { return lookUpHashed(info, key: key, count: count, hint: &hint) }
        for position in 0..<info.childCount {
            let candidate = children[info.childStart + position]
            if nameEquals(candidate, key, count) {
                hint = position + 1
                return candidate
            }
        }
        return -1
    }

    /// The child of `node` expected next (at position `hint`) when the key whose first byte is at
    /// `key` is exactly that child's name followed by its closing quote, or -1. `available` is
    /// the number of input bytes from `key` on. On a match `hint` is advanced.
    ///
    /// A match needs no separate scan of the key: its bytes are the name's, which is valid UTF-8
    /// and holds nothing JSON escapes, and the byte after them closes the string.
    @inline(__always)
    func expectedChild(of node: Int, key: UnsafeRawPointer, available: Int, hint: inout Int) -> Int {
        let info = nodes[node]
        guard hint < info.childCount else { return -1 }
        let pattern = patterns[info.childStart + hint]
        if let matches = pattern.matches(key, available: available) {
            guard matches else { return -1 }
            hint += 1
            return pattern.node
        }
        let candidate = pattern.node
        let name = nodes[candidate]
        guard name.nameIsVerbatim, name.nameCount < available,
            key.load(fromByteOffset: name.nameCount, as: UInt8.self) == JSONByte.quote,
            nameEquals(candidate, key, name.nameCount)
        else { return -1 }
        hint += 1
        return candidate
    }

    /// The number of bytes in `node`'s name.
    @inline(__always)
    func nameCount(_ node: Int) -> Int {
        nodes[node].nameCount
    }

    private func lookUpHashed(_ info: PathTrie.Node, key: UnsafeRawPointer, count: Int, hint: inout Int) -> Int {
        var slot = PathTrie.hash(UnsafeRawBufferPointer(start: key, count: count)) & info.tableMask
        while true {
            let entry = table[info.tableStart + slot]
            if entry == 0 { return -1 }
            let candidate = children[info.childStart + entry - 1]
            if nameEquals(candidate, key, count) {
                hint = entry
                return candidate
            }
            slot = (slot + 1) & info.tableMask
        }
    }

    @inline(__always)
    private func nameEquals(_ node: Int, _ key: UnsafeRawPointer, _ count: Int) -> Bool {
        let info = nodes[node]
        guard info.nameCount == count else { return false }
        guard count > 0, let stored = names.baseAddress else { return count == 0 }
        let name = stored + info.nameStart
        // Eight, four, two, then one byte at a time: a key of up to 15 bytes takes at most four
        // comparisons, never reading past either end.
        var index = 0
        while index &+ 8 <= count {
            guard name.loadUnaligned(fromByteOffset: index, as: UInt64.self) == key.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
            index &+= 8
        }
        if index &+ 4 <= count {
            guard name.loadUnaligned(fromByteOffset: index, as: UInt32.self) == key.loadUnaligned(fromByteOffset: index, as: UInt32.self) else { return false }
            index &+= 4
        }
        if index &+ 2 <= count {
            guard name.loadUnaligned(fromByteOffset: index, as: UInt16.self) == key.loadUnaligned(fromByteOffset: index, as: UInt16.self) else { return false }
            index &+= 2
        }
        return index == count || name.load(fromByteOffset: index, as: UInt8.self) == key.load(fromByteOffset: index, as: UInt8.self)
    }
}
