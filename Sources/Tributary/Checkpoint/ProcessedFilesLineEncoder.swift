/// Writes the compact JSON lines of the processed-files log and snapshot, one object per line.
struct ProcessedFilesLineEncoder {
    static let logFormat = "tributary-processed-files-log"
    static let snapshotFormat = "tributary-processed-files-snapshot"
    static let snapshotVersion: Int64 = 1

    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    /// `{"format":…,"generation":G}`: the first line of the log.
    static func logHeader(generation: Int64) -> [UInt8] {
        var encoder = ProcessedFilesLineEncoder()
        encoder.begin()
        encoder.field("format", logFormat)
        encoder.field("generation", generation)
        encoder.end()
        return encoder.bytes
    }

    /// A header line followed by one line per file.
    static func snapshot(_ files: [String: ProcessedFilesLog.FileState], generation: Int64) -> [UInt8] {
        var encoder = ProcessedFilesLineEncoder()
        encoder.bytes.reserveCapacity(128 * (files.count + 1))
        encoder.begin()
        encoder.field("format", snapshotFormat)
        encoder.field("version", snapshotVersion)
        encoder.field("generation", generation)
        encoder.field("count", Int64(files.count))
        encoder.end()
        for (path, state) in files { encoder.append(path, state) }
        return encoder.bytes
    }

    mutating func append(_ entry: TakenFile) {
        begin()
        field("path", entry.path)
        field("size", entry.size)
        field("mtimeNanos", entry.mtimeNanos)
        field("batch", entry.batch)
        field("rangeStart", entry.rangeStart)
        field("rangeEnd", entry.rangeEnd)
        field("complete", entry.complete)
        field("lines", entry.lines)
        end()
    }

    private mutating func append(_ path: String, _ state: ProcessedFilesLog.FileState) {
        begin()
        field("path", path)
        field("size", state.size)
        field("mtimeNanos", state.mtimeNanos)
        field("bytesTaken", state.bytesTaken)
        field("complete", state.complete)
        field("batch", state.batch)
        field("lines", state.lines)
        end()
    }

    private mutating func begin() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    private mutating func end() {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func field(_ name: String, _ value: String) {
        key(name)
        appendQuoted(value)
    }

    private mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    private mutating func field(_ name: String, _ value: Int64) {
        key(name)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let digitsStart = bytes.count
        var magnitude = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[digitsStart...].reverse()
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case ..<0x20:
                appendControlEscape(byte)
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendControlEscape(_ byte: UInt8) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: "\\u00".utf8)
        bytes.append(hex[Int(byte >> 4)])
        bytes.append(hex[Int(byte & 0x0F)])
    }
}
