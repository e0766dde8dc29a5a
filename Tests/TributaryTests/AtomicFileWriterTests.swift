@testable import Tributary
import Testing

/// The streaming writer a file sink writes a batch through: small pieces are gathered, a
/// chunk's output (64 KiB or more) goes straight to the file, and nothing is visible under
/// the final name before `commit`.
@Suite struct AtomicFileWriterTests {
    @Test("pieces small and large, in any order, land in the file in the order written; the name appears only at commit")
    func mixedPiecesKeepTheirOrder() throws {
        try withScratchFolder { folder in
            let path = folder + "/out.jsonl"
            let writer = try AtomicFileWriter(path: path)
            // Around the 64 KiB direct-write size and the 1 MiB buffer, with distinct bytes
            // per piece so that any reordering shows.
            let sizes = [10, 65_535, 7, 65_536, 3, 1_200_000, 65_537, 1, 900_000, 200_000, 5]
            var expected: [UInt8] = []
            for (index, size) in sizes.enumerated() {
                let piece = (0..<size).map { UInt8(truncatingIfNeeded: index &* 37 &+ $0 % 251) }
                expected += piece
                if index % 2 == 0 {
                    try writer.write(piece)
                } else {
                    try piece.withUnsafeBytes { bytes in Result { () throws(FileIOError) in try writer.write(bytes) } }.get()
                }
                #expect(try names(in: folder).allSatisfy { $0 != "out.jsonl" })
            }
            try writer.commit()
            #expect(writer.bytesWritten == Int64(expected.count))
            let written = try AtomicFile.read(path)
            // The first differing byte, rather than two arrays of megabytes in the failure message.
            #expect(written.count == expected.count)
            #expect(zip(written.indices, zip(written, expected)).first { $0.1.0 != $0.1.1 }?.0 == nil)
            #expect(try names(in: folder) == ["out.jsonl"])
        }
    }

    @Test func anAbandonedWriterLeavesNothing() throws {
        try withScratchFolder { folder in
            do {
                let writer = try AtomicFileWriter(path: folder + "/out.jsonl")
                try writer.write([UInt8](repeating: 7, count: 100_000))
                try writer.write([1, 2, 3])
            }
            #expect(try names(in: folder).isEmpty)
        }
    }
}
