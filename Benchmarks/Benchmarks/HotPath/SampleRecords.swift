import Tributary

/// A batch of records shaped like those of `tributary bench` (about 150 bytes each), written
/// from a seeded generator so every run measures the same bytes:
/// `{"id":"r000000001","name":"Chiara Rossi","city":"São Paulo","country":"br",
///   "birth_date":"1987-03-14","test_time":"2025-11-20T07:41:09.123Z","result":57.3}`
///
/// The lines are stored back to back in one buffer, as the engine holds a chunk it read.
struct SampleRecords: Sendable {
    /// Every line, without newlines.
    let bytes: [UInt8]
    /// Each line's start and end offsets in `bytes`.
    let lines: [Range<Int>]

    init(count: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var bytes: [UInt8] = []
        var lines: [Range<Int>] = []
        lines.reserveCapacity(count)
        for number in 1...count {
            let start = bytes.count
            Self.appendRecord(number: number, random: &random, to: &bytes)
            lines.append(start..<bytes.count)
        }
        self.bytes = bytes
        self.lines = lines
    }

    /// Calls `body` with each line's bytes, in order.
    func forEachLine(_ body: (UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { all in
            for line in lines { body(UnsafeRawBufferPointer(rebasing: all[line])) }
        }
    }

    // The same first names, last names and places as the `tributary bench` generator, so that
    // string lengths (inline small strings up to 15 UTF-8 bytes, heap strings above) are spread alike.
    private static let firstNames = [
        "Ann", "Bo", "Chiara", "Dmitri", "Émile", "Fatima", "Gustavo", "Hana", "Ingrid", "Jamal",
        "Kenji", "Léa", "Mateo", "Nadia", "Oluwaseun", "Priya", "Quentin", "Rosa", "Søren", "Tomasz",
    ]
    private static let lastNames = [
        "Smith", "Li", "Rossi", "Ivanov", "Zola", "Khan", "Pereira", "Sato", "Larsen", "Okafor",
        "Müller", "García", "Nguyen", "Kowalski", "Dubois", "Haddad", "Andersson", "Tanaka",
    ]
    private static let places = [
        ("São Paulo", "br"), ("Berlin", "DE"), ("Tokyo", "jp"), ("Lagos", "NG"), ("Zürich", "ch"),
        ("Montréal", "CA"), ("Austin", "us"), ("Kraków", "PL"), ("Lyon", "fr"), ("Mumbai", "IN"),
        ("Göteborg", "se"), ("Nairobi", "KE"), ("Valparaíso", "cl"), ("Osaka", "JP"),
    ]

    private static func appendRecord(number: Int, random: inout SeededRandom, to out: inout [UInt8]) {
        let first = firstNames[random.below(firstNames.count)]
        let last = lastNames[random.below(lastNames.count)]
        let (city, country) = places[random.below(places.count)]
        let birth = "\(1940 + random.below(67))-\(padded(1 + random.below(12), 2))-\(padded(1 + random.below(28), 2))"
        let time = "2025-11-20T\(padded(random.below(24), 2)):\(padded(random.below(60), 2)):"
            + "\(padded(random.below(60), 2)).\(padded(random.below(1000), 3))Z"
        // 0.0 to 99.9; whole numbers without a fraction, as producers write them.
        let tenths = random.below(1000)
        let result = tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
        let line = #"{"id":"r\#(padded(number, 9))","name":"\#(first) \#(last)","city":"\#(city)","#
            + #""country":"\#(country)","birth_date":"\#(birth)","test_time":"\#(time)","result":\#(result)}"#
        out.append(contentsOf: line.utf8)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// SplitMix64: small, fast and seeded, so the sample is the same on every run.
struct SeededRandom {
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
