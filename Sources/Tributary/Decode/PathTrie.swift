/// The schema's field paths as a flat tree of object keys, in preorder, for allocation-free key lookup.
struct PathTrie: Sendable {
    /// One key component of some field's path.
    struct Node: Sendable {
        var nameStart = 0
        var nameCount = 0
        /// The node's children are `children[childStart..<childStart + childCount]`.
        var childStart = 0
        var childCount = 0
        /// The node's subtree is nodes `index..<subtreeEnd`.
        var subtreeEnd = 0
        /// For nodes with many children, a hash table `table[tableStart...tableStart + tableMask]`; -1 otherwise.
        var tableStart = 0
        var tableMask = -1
        /// Whether the name's JSON text is its bytes as they are (no quote, backslash or control
        /// byte, which JSON writes escaped), so that a key can be matched in the input directly.
        var nameIsVerbatim = false
    }

    /// Children above this count are found by hashing instead of a linear scan.
    private static let linearLimit = 8

    private var nodes: [Node] = []
    private var names: [UInt8] = []
    private var children: [Int] = []
    /// `children[i]`'s name as a `KeyPattern`, for matching the key expected next in place.
    private var patterns: [KeyPattern] = []
    /// Child position + 1 within the parent's child list; 0 marks an empty slot.
    private var table: [Int] = []
    /// For each schema field, the node its path ends at; -1 for the catch-all field.
    private(set) var fieldNodes: [Int] = []

    /// The number of nodes, including the root.
    var nodeCount: Int { nodes.count }

    /// Builds the tree for every field of `schema` except its catch-all field.
    init(schema: Schema) {
        var builder = PathTrieBuilder()
        let builderNodes = schema.fields.indices.map { index in
            index == schema.catchAllField || schema.fields[index].isExternal ? -1 : builder.insert(schema.fields[index].path)
        }
        let order = builder.preorder()
        var position = [Int](repeating: 0, count: order.count)
        for (index, node) in order.enumerated() { position[node] = index }
        var subtreeSize = [Int](repeating: 1, count: order.count)
        for index in order.indices.reversed() {
            for child in builder.children[order[index]] { subtreeSize[index] += subtreeSize[position[child]] }
        }
        for (index, node) in order.enumerated() {
            let childPositions = builder.children[node].map { position[$0] }
            nodes.append(Node(nameStart: names.count, nameCount: builder.names[node].count,
                              childStart: children.count, childCount: childPositions.count,
                              subtreeEnd: index + subtreeSize[index],
                              nameIsVerbatim: !builder.names[node].contains { JSONByte.needsEscape(byte: $0) }))
            names += builder.names[node]
            children += childPositions
        }
        patterns = children.map { child in
            let node = nodes[child]
            return KeyPattern(node: child, name: names[node.nameStart..<node.nameStart + node.nameCount],
                              isVerbatim: node.nameIsVerbatim)
        }
        // Tables hash the children's names, so they are built once every node exists.
        for index in nodes.indices where nodes[index].childCount > Self.linearLimit {
            let info = nodes[index]
            nodes[index].tableStart = table.count
            nodes[index].tableMask = addTable(for: Array(children[info.childStart..<info.childStart + info.childCount]))
        }
        fieldNodes = builderNodes.map { $0 < 0 ? -1 : position[$0] }
    }

    /// Appends an open-addressing table of `childNodes` (already in `nodes`); returns its mask.
    private mutating func addTable(for childNodes: [Int]) -> Int {
        var size = 16
        while size < childNodes.count * 2 { size *= 2 }
        let start = table.count
        table += [Int](repeating: 0, count: size)
        for (slotValue, child) in childNodes.enumerated() {
            let name = nodes[child]
            let bytes = names[name.nameStart..<name.nameStart + name.nameCount]
            var slot = bytes.withUnsafeBytes { Self.hash($0) } & (size - 1)
            while table[start + slot] != 0 { slot = (slot + 1) & (size - 1) }
            table[start + slot] = slotValue + 1
        }
        return size - 1
    }

    /// Calls `body` with a view of the tree whose lookups involve no reference counting.
    func withView<Result>(_ body: (PathTrieView) -> Result) -> Result {
        nodes.withUnsafeBufferPointer { nodes in
            names.withUnsafeBytes { names in
                children.withUnsafeBufferPointer { children in
                    patterns.withUnsafeBufferPointer { patterns in
                        table.withUnsafeBufferPointer { table in
                            body(PathTrieView(nodes: nodes, names: names, children: children, patterns: patterns, table: table))
                        }
                    }
                }
            }
        }
    }

    /// FNV-1a over `bytes`.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(truncatingIfNeeded: value)
    }
}
