/// Builds the catch-all field's value: the unmatched top-level members as one compact JSON object.
enum CatchAllObject {
    /// Above this many members, duplicates are found with a hash set instead of pairwise comparison.
    private static let pairwiseLimit = 32

    /// The compact object text of `members` (whose keys are all different), or `.null` when
    /// there are none.
    static func value(of members: [CatchAllMember], in base: UnsafeRawPointer) -> FieldValue {
        guard !members.isEmpty else { return .null }
        var capacity = 1
        for member in members {
            capacity += (member.keyEnd - member.keyStart) + 4 + (member.valueEnd - member.valueStart)
        }
        let text = String(unsafeUninitializedCapacity: capacity) { buffer in
            let out = buffer.baseAddress!
            var written = 0
            for (index, member) in members.enumerated() {
                out[written] = index == 0 ? JSONByte.openBrace : JSONByte.comma
                out[written + 1] = JSONByte.quote
                written += 2
                // Keys are copied raw: their escapes are valid JSON as they are.
                let keyCount = member.keyEnd - member.keyStart
                UnsafeMutableRawPointer(out + written).copyMemory(from: base + member.keyStart, byteCount: keyCount)
                written += keyCount
                out[written] = JSONByte.quote
                out[written + 1] = JSONByte.colon
                written += 2
                written += JSONStringText.writeCompact(
                    base, from: member.valueStart, to: member.valueEnd, into: out + written)
            }
            out[written] = JSONByte.closeBrace
            return written + 1
        }
        return .json(text)
    }

    /// The first member, in input order, whose key (unescaped) an earlier member already has.
    static func firstDuplicate(in members: [CatchAllMember], base: UnsafeRawPointer) -> CatchAllMember? {
        if members.count <= pairwiseLimit {
            for later in members.indices.dropFirst() where members[..<later].contains(where: { keysEqual($0, members[later], in: base) }) {
                return members[later]
            }
            return nil
        }
        var seen = Set<[UInt8]>()
        return members.first { !seen.insert(decodedKey($0, in: base)).inserted }
    }

    private static func keysEqual(_ first: CatchAllMember, _ second: CatchAllMember, in base: UnsafeRawPointer) -> Bool {
        guard first.keyEscaped || second.keyEscaped else {
            let count = first.keyEnd - first.keyStart
            guard count == second.keyEnd - second.keyStart else { return false }
            for index in 0..<count where base.load(fromByteOffset: first.keyStart + index, as: UInt8.self)
                != base.load(fromByteOffset: second.keyStart + index, as: UInt8.self) {
                return false
            }
            return true
        }
        return decodedKey(first, in: base) == decodedKey(second, in: base)
    }

    /// The unescaped UTF-8 bytes of a member's key.
    private static func decodedKey(_ member: CatchAllMember, in base: UnsafeRawPointer) -> [UInt8] {
        let count = member.keyEnd - member.keyStart
        guard member.keyEscaped else {
            return Array(UnsafeRawBufferPointer(start: base + member.keyStart, count: count))
        }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = JSONStringText.unescape(base, from: member.keyStart, to: member.keyEnd,
                                                  into: buffer.baseAddress!)
        }
    }
}

/// A top-level member whose key no field maps, kept for the catch-all field.
struct CatchAllMember {
    /// The first byte after the key's opening quote.
    var keyStart: Int
    /// The key's closing quote.
    var keyEnd: Int
    /// Whether the key contains escape sequences.
    var keyEscaped: Bool
    var valueStart: Int
    var valueEnd: Int
}
