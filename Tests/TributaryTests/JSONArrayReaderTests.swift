@testable import Tributary
import Testing

/// One element as `JSONArrayReader` hands it over, copied out of the callback.
private struct Element: Equatable {
    var text: String
    var offset: Int64
    var number: Int64
    var kind: LineReader.Kind
}

@Suite struct JSONArrayReaderTests {
    @Test func textAfterTheArrayIsOneDamagedRecordAtTheLineItStartsOn() throws {
        try withScratchFolder { folder in
            let path = folder + "/export.json"
            try writeRaw("[{\"a\":1},\n {\"b\":2}]\n\n{\"c\":3}  \nmore\n", to: path)
            var elements: [Element] = []
            let summary = try JSONArrayReader(path: path, gzip: false, maxRecordBytes: 1 << 20).forEachElement { element in
                elements.append(Element(text: String(decoding: element.bytes, as: UTF8.self), offset: element.offset, number: element.number, kind: element.kind))
            }
            #expect(elements == [
                Element(text: "{\"a\":1}", offset: 1, number: 1, kind: .complete),
                Element(text: "{\"b\":2}", offset: 11, number: 2, kind: .complete),
                Element(text: "{\"c\":3}  \nmore", offset: 21, number: 4, kind: .damaged(reason: "characters after the end of the top-level JSON array")),
            ])
            #expect(summary == LineReader.Summary(lines: 3, endOffset: 36))
        }
    }
}
