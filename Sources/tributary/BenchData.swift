import Glibc

/// SplitMix64: a small, fast, seeded generator, so every benchmark run writes the same bytes.
struct BenchRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// What a generator wrote: records, bytes, and how many records pass the benchmark's filter.
struct BenchGenerated: Sendable {
    var records = 0
    var bytes = 0
    var passing = 0

    static func + (a: BenchGenerated, b: BenchGenerated) -> BenchGenerated {
        BenchGenerated(records: a.records + b.records, bytes: a.bytes + b.bytes, passing: a.passing + b.passing)
    }
}

/// Writes test-result records as JSON lines of about 150 bytes, straight into a byte buffer
/// (no Foundation, no JSON encoder):
/// `{"id":"r000000001","name":"Chiara Rossi","city":"São Paulo","country":"br",
///   "birth_date":"1987-03-14","test_time":"2025-11-20T07:41:09.123Z","result":57.3}`
struct BenchRecordGenerator {
    /// The benchmark's filter keeps `result >= filterMinimum`.
    static let filterMinimum = 10
    static let filterExpression = "result >= \(filterMinimum)"

    private static let firstNames: [[UInt8]] = [
        "Ann", "Bo", "Chiara", "Dmitri", "Émile", "Fatima", "Gustavo", "Hana", "Ingrid", "Jamal",
        "Kenji", "Léa", "Mateo", "Nadia", "Oluwaseun", "Priya", "Quentin", "Rosa", "Søren", "Tomasz",
    ].map { Array($0.utf8) }
    private static let lastNames: [[UInt8]] = [
        "Smith", "Li", "Rossi", "Ivanov", "Zola", "Khan", "Pereira", "Sato", "Larsen", "Okafor",
        "Müller", "García", "Nguyen", "Kowalski", "Dubois", "Haddad", "Andersson", "Tanaka",
    ].map { Array($0.utf8) }
    /// Cities and their countries; some country codes in lower case, for `upper(country)`.
    private static let places: [(city: [UInt8], country: [UInt8])] = [
        ("São Paulo", "br"), ("Berlin", "DE"), ("Tokyo", "jp"), ("Lagos", "NG"), ("Zürich", "ch"),
        ("Montréal", "CA"), ("Austin", "us"), ("Kraków", "PL"), ("Lyon", "fr"), ("Mumbai", "IN"),
        ("Göteborg", "se"), ("Nairobi", "KE"), ("Valparaíso", "cl"), ("Osaka", "JP"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    private var random: BenchRandom
    private var nextID: Int

    init(seed: UInt64, firstID: Int = 1) {
        random = BenchRandom(seed: seed)
        nextID = firstID
    }

    /// Appends one record (and its newline unless `newline` is false) whose test time lies in
    /// `hour` of `date` ("YYYY-MM-DD"); returns true when it passes the filter.
    @discardableResult
    mutating func append(date: [UInt8], hour: Int, to out: inout [UInt8], newline: Bool = true) -> Bool {
        out.append(contentsOf: #"{"id":"r"#.utf8)
        Self.digits(nextID, width: 9, to: &out)
        nextID += 1
        out.append(contentsOf: #"","name":""#.utf8)
        out.append(contentsOf: Self.firstNames[random.below(Self.firstNames.count)])
        out.append(0x20)
        out.append(contentsOf: Self.lastNames[random.below(Self.lastNames.count)])
        let place = Self.places[random.below(Self.places.count)]
        out.append(contentsOf: #"","city":""#.utf8)
        out.append(contentsOf: place.city)
        out.append(contentsOf: #"","country":""#.utf8)
        out.append(contentsOf: place.country)
        out.append(contentsOf: #"","birth_date":""#.utf8)
        Self.digits(1940 + random.below(67), width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.digits(1 + random.below(12), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.digits(1 + random.below(28), width: 2, to: &out)
        out.append(contentsOf: #"","test_time":""#.utf8)
        out.append(contentsOf: date)
        out.append(UInt8(ascii: "T"))
        Self.digits(hour % 24, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.digits(random.below(60), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.digits(random.below(60), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        Self.digits(random.below(1000), width: 3, to: &out)
        out.append(contentsOf: #"Z","result":"#.utf8)
        // 0.0 to 99.9; whole numbers written without a fraction, as producers do.
        let tenths = random.below(1000)
        Self.digits(tenths / 10, width: 1, to: &out)
        if tenths % 10 != 0 {
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(tenths % 10))
        }
        out.append(UInt8(ascii: "}"))
        if newline { out.append(0x0A) }
        return tenths >= Self.filterMinimum * 10
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    private static func digits(_ value: Int, width: Int, to out: inout [UInt8]) {
        var scratch: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { buffer in
            var count = 0
            var rest = value
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 || count < width
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Writes `records` records of `hour` of `date` to a new file at `path`.
    mutating func writeFile(_ path: String, records: Int, date: String, hour: Int) throws -> BenchGenerated {
        let day = Array(date.utf8)
        return try Self.write(path) { out, result in
            guard result.records < records else { return false }
            result.records += 1
            if append(date: day, hour: hour, to: &out) { result.passing += 1 }
            return true
        }
    }

    /// Writes records of `date` (hour after hour, wrapping) until the file holds at least
    /// `minimumBytes` bytes.
    mutating func writeFile(_ path: String, minimumBytes: Int, date: String) throws -> BenchGenerated {
        let day = Array(date.utf8)
        return try Self.write(path) { out, result in
            // `result.bytes` counts what was flushed, `out` what is still buffered.
            guard result.bytes + out.count < minimumBytes else { return false }
            result.records += 1
            if append(date: day, hour: result.records / 50_000, to: &out) { result.passing += 1 }
            return true
        }
    }

    /// Runs `produce` until it returns false, writing its bytes to `path` in 4 MiB chunks.
    private static func write(
        _ path: String,
        _ produce: (inout [UInt8], inout BenchGenerated) -> Bool
    ) throws -> BenchGenerated {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var result = BenchGenerated()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4 << 20 + 512)
        func flush() throws {
            var offset = 0
            while offset < buffer.count {
                let count = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                guard count > 0 else { throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += count
            }
            result.bytes += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        while produce(&buffer, &result) {
            if buffer.count >= 4 << 20 { try flush() }
        }
        try flush()
        return result
    }
}

/// A benchmark failure: something did not work, as opposed to a target not met.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
