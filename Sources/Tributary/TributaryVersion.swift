public enum TributaryVersion { public static let current = "0.1.0" }
