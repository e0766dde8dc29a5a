/// Parses the human units used in configuration files.
public enum ConfigValues {
    /// "250ms", "5s", "15m", "2h", "7d" (a bare number is seconds) → Duration.
    public static func duration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: " ")
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for (suffix, seconds) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: " ")
            guard let value = Double(number), value >= 0, value.isFinite,
                  let milliseconds = Int64(exactly: (value * seconds * 1000).rounded()) else { return nil }
            return .milliseconds(milliseconds)
        }
        guard let value = Double(trimmed), value >= 0, value.isFinite,
              let milliseconds = Int64(exactly: (value * 1000).rounded()) else { return nil }
        return .milliseconds(milliseconds)
    }

    /// "64MB", "512KB", "1GiB", "1000" (bytes) → bytes. KB/MB/GB are powers of 1000 and
    /// KiB/MiB/GiB powers of 1024, as the units say.
    public static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: " ").uppercased()
        let units: [(String, Double)] = [
            ("KIB", 1_024), ("MIB", 1_048_576), ("GIB", 1_073_741_824),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
        ]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: " ")
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return Int64(exactly: (value * factor).rounded())
        }
        return Int64(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
