@testable import Tributary
import Foundation
import Testing

/// A delivered line, copied out of the callback.
private struct ReadLine: Equatable, CustomStringConvertible {
    var text: String
    var offset: Int64
    var number: Int64
    var kind: LineReader.Kind = .complete

    var description: String { "#\(number)@\(offset) \(kind) \(text.debugDescription)" }
}

private func readLines(
    _ path: String, gzip: Bool = false, start: Int64 = 0, end: Int64? = nil, firstLine: Int64 = 1,
    maxRecordBytes: Int = 1 << 20, chunkSize: Int? = nil, oversizePrefix: Int? = nil
) throws -> (lines: [ReadLine], summary: LineReader.Summary) {
    var reader = LineReader(path: path, gzip: gzip, start: start, end: end, firstLine: firstLine, maxRecordBytes: maxRecordBytes)
    if let chunkSize { reader.chunkSize = chunkSize }
    if let oversizePrefix { reader.oversizePrefix = oversizePrefix }
    var lines: [ReadLine] = []
    let summary = try reader.forEachLine { line in
        lines.append(ReadLine(text: String(decoding: line.bytes, as: UTF8.self), offset: line.offset, number: line.number, kind: line.kind))
    }
    return (lines, summary)
}

/// Every line of `content` as the reader should deliver it (blank lines, empty or of spaces and
/// tabs, counted, not delivered),
/// and where each line, blank or not, starts.
private func expectedLines(_ content: [UInt8]) -> (lines: [ReadLine], starts: [Int64]) {
    var lines: [ReadLine] = []
    var starts: [Int64] = []
    var index = 0
    var number: Int64 = 0
    while index < content.count {
        let newline = content[index...].firstIndex(of: UInt8(ascii: "\n")) ?? content.count
        var bytes = content[index..<newline]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        number += 1
        starts.append(Int64(index))
        if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { lines.append(ReadLine(text: String(decoding: bytes, as: UTF8.self), offset: Int64(index), number: number)) }
        index = newline + 1
    }
    return (lines, starts)
}

/// Reads `path` as consecutive ranges cut at `cuts`, chaining line numbers; checks each range's
/// end offset against where the next range's first line starts. Returns every delivered line.
private func readSplit(
    _ path: String, gzip: Bool = false, cuts: [Int64], starts: [Int64], size: Int64, chunkSize: Int? = nil, maxRecordBytes: Int = 1 << 20
) throws -> [ReadLine] {
    var all: [ReadLine] = []
    var firstLine: Int64 = 1
    let bounds: [Int64] = [0] + cuts
    for (index, start) in bounds.enumerated() {
        let end: Int64? = index + 1 < bounds.count ? bounds[index + 1] : nil
        let (lines, summary) = try readLines(path, gzip: gzip, start: start, end: end, firstLine: firstLine, maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
        // The range holds exactly the lines starting in [start, end).
        let owned = starts.filter { lineStart in lineStart >= start && (end.map { lineStart < $0 } ?? true) }
        #expect(summary.lines == Int64(owned.count), "range [\(start), \(end.map(String.init) ?? "nil")) of cuts \(cuts)")
        let next: Int64 = end.map { cut in starts.first { $0 >= cut } ?? size } ?? size
        // (A range inside the last line, which has no newline, holds no line and no end: skip it.)
        if !owned.isEmpty || next < size {
            #expect(summary.endOffset == next, "range [\(start), \(end.map(String.init) ?? "nil")) of cuts \(cuts): end offset")
        }
        all += lines
        firstLine += summary.lines
    }
    return all
}

/// A file of mixed lines: blank lines, CRLF endings, a CR-only line, long and one-byte lines, no final newline.
private let mixedContent: [UInt8] = {
    var text = ""
    for index in 0..<24 {
        switch index % 6 {
        case 0: text += "{\"n\":\(index),\"pad\":\"\(String(repeating: "x", count: index))\"}\n"
        case 1: text += "\n"
        case 2: text += "line \(index)\r\n"
        case 3: text += "\(index % 10)\n"
        case 4: text += "\r\n"
        default: text += "tab\there \(index) é\n"
        }
    }
    text += "tail without newline"
    return Array(text.utf8)
}()

private func withLineFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-linereader-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

private func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Compresses `bytes` with /bin/gzip into `path` (a .gz file).
private func writeGzip(_ bytes: [UInt8], to path: String) throws {
    let plain = path + ".source"
    try writeBytes(bytes, to: plain)
    defer { try? FileManager.default.removeItem(atPath: plain) }
    try writeBytes([], to: path)
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c", "-n", plain]
    process.standardOutput = output
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "gzip failed")
}

private func fileBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

@Suite struct LineReaderTests {
    @Test func deliversExactLinesOffsetsAndNumbers() throws {
        try withLineFolder { folder in
            let path = folder + "/small.json"
            try writeBytes(Array("alpha\nbeta\r\n\n  \ngamma\r\n\r\nlast".utf8), to: path)
            let (lines, summary) = try readLines(path)
            #expect(lines == [
                ReadLine(text: "alpha", offset: 0, number: 1),
                ReadLine(text: "beta", offset: 6, number: 2),
                ReadLine(text: "gamma", offset: 16, number: 5),
                ReadLine(text: "last", offset: 25, number: 7),
            ])
            #expect(summary == LineReader.Summary(lines: 7, endOffset: 29))
            // The same with a chunk smaller than a line, and numbered from 100.
            let (small, smallSummary) = try readLines(path, firstLine: 100, chunkSize: 3)
            #expect(small.map(\.number) == [100, 101, 104, 106])
            #expect(small.map(\.text) == lines.map(\.text))
            #expect(small.map(\.offset) == lines.map(\.offset))
            #expect(smallSummary == summary)
        }
    }

    @Test func linesOfOnlySpacesAndTabsAreBlank() throws {
        try withLineFolder { folder in
            let path = folder + "/blank.json"
            try writeBytes(Array("  \n\t\r\n{\"a\":1}\n \t \n x\n".utf8), to: path)
            let (lines, summary) = try readLines(path)
            #expect(lines == [ReadLine(text: "{\"a\":1}", offset: 6, number: 3), ReadLine(text: " x", offset: 18, number: 5)])
            #expect(summary == LineReader.Summary(lines: 5, endOffset: 21))
        }
    }

    @Test func aByteOrderMarkStartingTheFileIsNotPartOfTheFirstLine() throws {
        try withLineFolder { folder in
            let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
            // Only the file's own mark goes: one inside the file is data (the decoder deals with it).
            let content = mark + Array("{\"a\":1}\r\n".utf8) + mark + Array("{\"b\":2}\n{\"c\":3}".utf8)
            let expected = [
                ReadLine(text: "{\"a\":1}", offset: 0, number: 1),
                ReadLine(text: "\u{FEFF}{\"b\":2}", offset: 12, number: 2),
                ReadLine(text: "{\"c\":3}", offset: 23, number: 3),
            ]
            let starts: [Int64] = [0, 12, 23]
            let size = Int64(content.count)
            let plain = folder + "/bom.json"
            let gzip = folder + "/bom.json.gz"
            try writeBytes(content, to: plain)
            try writeGzip(content, to: gzip)
            for (path, isGzip) in [(plain, false), (gzip, true)] {
                for chunk in [nil, 1, 2, 4] as [Int?] {
                    #expect(try readLines(path, gzip: isGzip, chunkSize: chunk).lines == expected, "\(path), chunk \(String(describing: chunk))")
                }
                for cut in Int64(1)..<size {
                    #expect(try readSplit(path, gzip: isGzip, cuts: [cut], starts: starts, size: size) == expected, "\(path), cut at \(cut)")
                }
                #expect(try readSplit(path, gzip: isGzip, cuts: [1, 2, 3, 13], starts: starts, size: size, chunkSize: 2) == expected, "\(path)")
            }
            // A mark alone on the first line leaves a blank line; a file of just a mark has no record.
            try writeBytes(mark + Array("\n{}".utf8), to: plain)
            #expect(try readLines(plain).lines == [ReadLine(text: "{}", offset: 4, number: 2)])
            try writeBytes(mark, to: plain)
            let (none, summary) = try readLines(plain)
            #expect(none.isEmpty)
            #expect(summary == LineReader.Summary(lines: 1, endOffset: 3))
        }
    }

    @Test func aFileEndingWithNewlineAndAnEmptyFile() throws {
        try withLineFolder { folder in
            try writeBytes(Array("a\r\nb\n\n".utf8), to: folder + "/x.json")
            let (lines, summary) = try readLines(folder + "/x.json")
            #expect(lines == [ReadLine(text: "a", offset: 0, number: 1), ReadLine(text: "b", offset: 3, number: 2)])
            #expect(summary == LineReader.Summary(lines: 3, endOffset: 6))
            try writeBytes([], to: folder + "/empty.json")
            let (none, emptySummary) = try readLines(folder + "/empty.json")
            #expect(none.isEmpty)
            #expect(emptySummary == LineReader.Summary(lines: 0, endOffset: 0))
        }
    }

    @Test func wholeReadMatchesTheIndependentSplit() throws {
        try withLineFolder { folder in
            let path = folder + "/mixed.json"
            try writeBytes(mixedContent, to: path)
            let expected = expectedLines(mixedContent)
            for chunk in [nil, 1, 7, 64] as [Int?] {
                let (lines, summary) = try readLines(path, chunkSize: chunk)
                #expect(lines == expected.lines, "chunk \(String(describing: chunk))")
                #expect(summary == LineReader.Summary(lines: Int64(expected.starts.count), endOffset: Int64(mixedContent.count)))
            }
        }
    }

    @Test func consecutiveRangesYieldEveryLineExactlyOnce() throws {
        try withLineFolder { folder in
            let path = folder + "/mixed.json"
            try writeBytes(mixedContent, to: path)
            let expected = expectedLines(mixedContent)
            let size = Int64(mixedContent.count)
            // Make sure the cut points include line starts, newline bytes and mid-line bytes.
            let newlines = mixedContent.indices.filter { mixedContent[$0] == UInt8(ascii: "\n") }.map(Int64.init)
            #expect(newlines.count == 24)
            let single = Array(0...size + 2)
            for a in single {
                #expect(try readSplit(path, cuts: [a], starts: expected.starts, size: size) == expected.lines, "cut at \(a)")
            }
            for a in stride(from: Int64(0), through: size, by: 5) {
                for b in stride(from: a, through: size + 1, by: 7) {
                    #expect(try readSplit(path, cuts: [a, b], starts: expected.starts, size: size) == expected.lines, "cuts \(a), \(b)")
                }
            }
            // Cuts exactly at every line start, and exactly at every newline byte, all at once.
            #expect(try readSplit(path, cuts: Array(expected.starts.dropFirst()), starts: expected.starts, size: size) == expected.lines)
            #expect(try readSplit(path, cuts: newlines, starts: expected.starts, size: size) == expected.lines)
            #expect(try readSplit(path, cuts: Array(1..<size), starts: expected.starts, size: size) == expected.lines)
        }
    }

    @Test func rangesWithAChunkSmallerThanALine() throws {
        try withLineFolder { folder in
            let path = folder + "/mixed.json"
            try writeBytes(mixedContent, to: path)
            let expected = expectedLines(mixedContent)
            let size = Int64(mixedContent.count)
            for a in 0...size {
                #expect(try readSplit(path, cuts: [a], starts: expected.starts, size: size, chunkSize: 7) == expected.lines, "cut at \(a)")
            }
            for a in stride(from: Int64(1), through: size, by: 11) {
                for b in stride(from: a + 3, through: size, by: 13) {
                    #expect(try readSplit(path, cuts: [a, b], starts: expected.starts, size: size, chunkSize: 7) == expected.lines, "cuts \(a), \(b)")
                }
            }
        }
    }

    @Test func anOversizeLineIsDeliveredOnceAsAPrefixAndTheNextLineIsIntact() throws {
        try withLineFolder { folder in
            let path = folder + "/big.json"
            let long = String(repeating: "0123456789", count: 5)
            try writeBytes(Array("short\n\(long)\nafter\n\(long)\r\nexactly10!\r\nlast".utf8), to: path)
            let expected = [
                ReadLine(text: "short", offset: 0, number: 1),
                ReadLine(text: "0123", offset: 6, number: 2, kind: .oversize(length: 50)),
                ReadLine(text: "after", offset: 57, number: 3),
                ReadLine(text: "0123", offset: 63, number: 4, kind: .oversize(length: 50)),
                ReadLine(text: "exactly10!", offset: 115, number: 5),
                ReadLine(text: "last", offset: 127, number: 6),
            ]
            for chunk in [nil, 3, 7, 11, 12, 51, 52, 53] as [Int?] {
                let (lines, summary) = try readLines(path, maxRecordBytes: 10, chunkSize: chunk, oversizePrefix: 4)
                #expect(lines == expected, "chunk \(String(describing: chunk))")
                #expect(summary == LineReader.Summary(lines: 6, endOffset: 131))
            }
            // Starting inside the oversize line skips it; ending inside it keeps it whole.
            let (rest, _) = try readLines(path, start: 30, firstLine: 3, maxRecordBytes: 10, chunkSize: 7, oversizePrefix: 4)
            #expect(rest.first == expected[2])
            let (head, headSummary) = try readLines(path, end: 7, maxRecordBytes: 10, chunkSize: 7, oversizePrefix: 4)
            #expect(head == Array(expected.prefix(2)))
            #expect(headSummary == LineReader.Summary(lines: 2, endOffset: 57))
        }
    }

    // MARK: gzip

    @Test func gzipFileGivesTheSameLinesAndRanges() throws {
        try withLineFolder { folder in
            let path = folder + "/mixed.json.gz"
            try writeGzip(mixedContent, to: path)
            #expect(try fileBytes(path).prefix(2) == [0x1F, 0x8B])
            let expected = expectedLines(mixedContent)
            let size = Int64(mixedContent.count)
            let (lines, summary) = try readLines(path, gzip: true)
            #expect(lines == expected.lines)
            #expect(summary == LineReader.Summary(lines: Int64(expected.starts.count), endOffset: size))
            let (small, _) = try readLines(path, gzip: true, chunkSize: 7)
            #expect(small == expected.lines)
            // Ranges of a gzip file are in uncompressed bytes, starting mid-file.
            for a in stride(from: Int64(0), through: size, by: 3) {
                #expect(try readSplit(path, gzip: true, cuts: [a], starts: expected.starts, size: size) == expected.lines, "cut at \(a)")
            }
            for cuts: [Int64] in [[40, 41, 100], [1, 2, 3], [expected.starts[5], expected.starts[9] - 1]] {
                #expect(try readSplit(path, gzip: true, cuts: cuts, starts: expected.starts, size: size, chunkSize: 7) == expected.lines, "cuts \(cuts)")
            }
            let (middle, _) = try readLines(path, gzip: true, start: expected.starts[6], end: expected.starts[12], firstLine: 7)
            #expect(middle == expected.lines.filter { $0.number >= 7 && $0.number < 13 })
        }
    }

    @Test func concatenatedGzipMembersReadAsOneStream() throws {
        try withLineFolder { folder in
            let first = Array("one\ntwo\n".utf8)
            let second = Array("three\r\n\nfour".utf8)
            try writeGzip(first, to: folder + "/a.gz")
            try writeGzip(second, to: folder + "/b.gz")
            let path = folder + "/both.json.gz"
            try writeBytes(try fileBytes(folder + "/a.gz") + fileBytes(folder + "/b.gz"), to: path)
            let (lines, summary) = try readLines(path, gzip: true)
            #expect(lines == [
                ReadLine(text: "one", offset: 0, number: 1),
                ReadLine(text: "two", offset: 4, number: 2),
                ReadLine(text: "three", offset: 8, number: 3),
                ReadLine(text: "four", offset: 16, number: 5),
            ])
            #expect(summary == LineReader.Summary(lines: 5, endOffset: 20))
            let (tail, _) = try readLines(path, gzip: true, start: 6, firstLine: 2, chunkSize: 7)
            #expect(tail == [ReadLine(text: "three", offset: 8, number: 2), ReadLine(text: "four", offset: 16, number: 4)])
        }
    }

    /// Many distinct lines, so that damage near the end of the compressed data leaves most of them readable.
    private static let longContent: [UInt8] = Array((0..<400).map { "{\"id\":\($0),\"v\":\"\(String(repeating: "ab", count: $0 % 13))\"}\n" }.joined().utf8)

    @Test func aTruncatedGzipDeliversTheGoodLinesThenOneDamagedLine() throws {
        try withLineFolder { folder in
            let whole = folder + "/whole.json.gz"
            try writeGzip(Self.longContent, to: whole)
            let compressed = try fileBytes(whole)
            let path = folder + "/cut.json.gz"
            try writeBytes(Array(compressed.dropLast(10)), to: path)
            let expected = expectedLines(Self.longContent)
            for chunk in [nil, 7] as [Int?] {
                let (lines, summary) = try readLines(path, gzip: true, chunkSize: chunk)
                let good = lines.filter { $0.kind == .complete }
                let damaged = lines.filter { if case .damaged = $0.kind { true } else { false } }
                try #require(damaged.count == 1, "\(lines.suffix(3))")
                #expect(lines.last == damaged.first)
                #expect(good == Array(expected.lines.prefix(good.count)))
                #expect(good.count >= expected.lines.count - 5)
                // The damaged line stands where the first line not delivered starts, with its number.
                let next = good.count < expected.lines.count ? expected.lines[good.count] : ReadLine(text: "", offset: Int64(Self.longContent.count), number: Int64(expected.lines.count) + 1)
                #expect(damaged[0].offset == next.offset)
                #expect(damaged[0].number == next.number)
                #expect(next.text.hasPrefix(damaged[0].text))
                if case .damaged(let reason) = damaged[0].kind { #expect(reason.contains("truncated")) }
                #expect(summary.lines == Int64(good.count + 1))
            }
        }
    }

    @Test func aTruncatedGzipSplitIntoRangesDeliversTheDamagedLineOnce() throws {
        try withLineFolder { folder in
            let whole = folder + "/whole.json.gz"
            try writeGzip(Self.longContent, to: whole)
            let path = folder + "/cut.json.gz"
            try writeBytes(Array(try fileBytes(whole).dropLast(10)), to: path)
            let (reference, _) = try readLines(path, gzip: true)
            let damagedAt = try #require(reference.last).offset
            let size = Int64(Self.longContent.count)
            for cut in [damagedAt - 30, damagedAt - 1, damagedAt, damagedAt + 1, damagedAt + 5, size] {
                var all: [ReadLine] = []
                var firstLine: Int64 = 1
                for (start, end) in [(Int64(0), Optional(cut)), (cut, nil)] {
                    let (lines, summary) = try readLines(path, gzip: true, start: start, end: end, firstLine: firstLine)
                    all += lines
                    firstLine += summary.lines
                }
                #expect(all == reference, "cut at \(cut) (damage at \(damagedAt))")
            }
        }
    }

    @Test func aCorruptGzipEndsWithADamagedLineAndDoesNotThrow() throws {
        try withLineFolder { folder in
            let whole = folder + "/whole.json.gz"
            try writeGzip(Self.longContent, to: whole)
            var bytes = try fileBytes(whole)
            for index in (bytes.count / 2)..<(bytes.count / 2 + 16) { bytes[index] ^= 0xFF }
            let path = folder + "/corrupt.json.gz"
            try writeBytes(bytes, to: path)
            let expected = expectedLines(Self.longContent)
            let (lines, summary) = try readLines(path, gzip: true)
            let damaged = lines.filter { if case .damaged = $0.kind { true } else { false } }
            #expect(damaged.count == 1)
            #expect(lines.count >= 2)
            #expect(lines.first == expected.lines.first)
            if case .damaged(let reason) = lines.last?.kind {
                #expect(reason.contains("corrupt"))
            } else {
                Issue.record("the last line is not damaged: \(String(describing: lines.last))")
            }
            #expect(summary.lines == Int64(lines.count))
        }
    }

    @Test func aMissingFileThrows() throws {
        try withLineFolder { folder in
            let missing = folder + "/gone.json"
            for gzip in [false, true] {
                let error = #expect(throws: ByteSource.Failure.self) { try readLines(missing, gzip: gzip) }
                guard case .io(let message)? = error else {
                    Issue.record("expected an I/O failure, got \(String(describing: error))")
                    continue
                }
                #expect(message.contains(missing))
            }
        }
    }
}
