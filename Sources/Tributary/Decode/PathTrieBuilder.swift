/// Collects schema paths into a tree of key components before `PathTrie` flattens it.
struct PathTrieBuilder {
    /// Each node's key component as UTF-8; node 0 is the root with an empty name.
    private(set) var names: [[UInt8]] = [[]]
    /// Each node's children, in first-insertion order.
    private(set) var children: [[Int]] = [[]]

    /// Adds `path` and returns the node it ends at; shared prefixes share nodes.
    mutating func insert(_ path: [String]) -> Int {
        var node = 0
        for component in path {
            let bytes = Array(component.utf8)
            if let existing = children[node].first(where: { names[$0] == bytes }) {
                node = existing
                continue
            }
            names.append(bytes)
            children.append([])
            children[node].append(names.count - 1)
            node = names.count - 1
        }
        return node
    }

    /// Node ids in preorder, so that every subtree occupies a contiguous range of positions.
    func preorder() -> [Int] {
        var order: [Int] = []
        var pending = [0]
        while let node = pending.popLast() {
            order.append(node)
            pending.append(contentsOf: children[node].reversed())
        }
        return order
    }
}
