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

    /// `file_mode`: an octal permission string such as "0640" or "640" → its value, or a
    /// reason the mode is refused. World-writable modes and special bits are refused, and the
    /// owner must keep read and write (the operator commands read and rewrite these files).
    public static func fileMode(_ text: String) -> Result<UInt32, FileModeProblem> {
        let digits = text.hasPrefix("0o") ? text.dropFirst(2) : Substring(text)
        guard (3...4).contains(digits.count), digits.allSatisfy({ ("0"..."7").contains($0) }),
              let value = UInt32(digits, radix: 8) else { return .failure(.notOctal) }
        if value & 0o7000 != 0 { return .failure(.specialBits) }
        if value & 0o002 != 0 { return .failure(.worldWritable) }
        if value & 0o600 != 0o600 { return .failure(.ownerCannotReadWrite) }
        return .success(value)
    }

    /// Why a `file_mode` value is refused.
    public enum FileModeProblem: Error, Equatable {
        case notOctal, specialBits, worldWritable, ownerCannotReadWrite
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
