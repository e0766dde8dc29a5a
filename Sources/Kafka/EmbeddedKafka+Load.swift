import Foundation

extension EmbeddedKafka {
    /// Produces each non-empty line of a JSON-lines file as one record of `topic`, spread over
    /// `partitions` partitions in turn ("\r\n" endings and a missing last newline are fine).
    /// Returns the number of records. The file is read whole: meant for sample data.
    @discardableResult
    public func load(jsonLinesFile path: String, into topic: String, partitions: Int) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KafkaError(code: .invalidArgument, message: "cannot read \(path) to load into \(topic)", hint: "Check the path and its permissions")
        }
        var records: [KafkaOutgoingRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            var value = Array(line)
            if value.last == UInt8(ascii: "\r") { value.removeLast() }
            guard !value.isEmpty else { continue }
            records.append(KafkaOutgoingRecord(topic: topic, partition: Int32(records.count % max(1, partitions)), value: value))
        }
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
        try producer.send(records, timeout: .seconds(60))
        return records.count
    }
}
