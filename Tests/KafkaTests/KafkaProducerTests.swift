@testable import Kafka
import Testing

@Suite("Producer and errors", .timeLimit(.minutes(4)))
struct KafkaProducerTests {
    @Test("records with headers, null values, null keys and empty values, keys and header values read back exactly")
    func produceAndReadBack() throws {
        let fixture = try KafkaFixture(topics: ["out": 1])
        let producer = try KafkaProducer(configuration: fixture.configuration)
        let sent = [
            KafkaOutgoingRecord(topic: "out", key: Array("a".utf8), value: Array("{\"x\":1}".utf8),
                                headers: [KafkaHeader(name: "batch", text: "7"), KafkaHeader(name: "origin", text: "file")]),
            KafkaOutgoingRecord(topic: "out", key: Array("a".utf8), value: nil),
            KafkaOutgoingRecord(topic: "out", key: nil, value: []),
            KafkaOutgoingRecord(topic: "out", value: Array("v".utf8), headers: [KafkaHeader(name: "nullHeader", value: nil)], timestamp: 1_700_000_000_000),
            KafkaOutgoingRecord(topic: "out", key: [], value: Array("e".utf8),
                                headers: [KafkaHeader(name: "empty", value: []), KafkaHeader(name: "é", text: "ü")]),
        ]
        let reports = try producer.send(sent)
        #expect(reports.map(\.offset) == [0, 1, 2, 3, 4])
        #expect(reports.allSatisfy { $0.partition == 0 })

        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        var received: [KafkaRecord] = []
        try reader.read([PartitionRange("out", 0, start: 0, end: 5)]) { received.append(contentsOf: $0.copyAll()) }
        #expect(received.count == 5)
        #expect(received[0].headers == sent[0].headers)
        #expect(received[0].valueText == "{\"x\":1}")
        #expect(received[1].value == nil, "a tombstone stays null, not empty")
        #expect(received[1].key == Array("a".utf8))
        #expect(received[2].key == nil)
        #expect(received[2].value == [], "an empty value stays empty, not null")
        #expect(received[3].headers == [KafkaHeader(name: "nullHeader", value: nil)])
        #expect(received[3].timestamp == 1_700_000_000_000)
        #expect(received[4].key == [], "an empty key stays empty, not null")
        #expect(received[4].headers == sent[4].headers, "an empty header value stays empty; names and values keep their bytes")
    }

    @Test("a batch's records read back exactly: values and keys from one buffer, empty and absent keys, empty values, shared headers")
    func batchReadsBack() throws {
        let fixture = try KafkaFixture(topics: ["out": 1])
        let producer = try KafkaProducer(configuration: fixture.configuration)
        let headers = [KafkaHeader(name: "tributary.batch", text: "3"), KafkaHeader(name: "é", value: []), KafkaHeader(name: "n", value: nil)]
        var batch = KafkaOutgoingBatch(topic: "out", headers: headers, reservingRecords: 4, bytesPerRecord: 8)
        let cases: [(value: String, key: String?)] = [("{\"x\":1}", "a"), ("", nil), ("v", ""), ("{\"y\":\"ü\"}", "k2")]
        for (value, key) in cases {
            if let key {
                batch.append(value: { $0.append(contentsOf: value.utf8) }, key: { $0.append(contentsOf: key.utf8); return true })
            } else {
                batch.append { $0.append(contentsOf: value.utf8) }
            }
        }
        // A key writer that declines leaves no key and no bytes behind.
        batch.append(value: { $0.append(contentsOf: "last".utf8) }, key: { $0.append(contentsOf: "dropped".utf8); return false })
        #expect(batch.count == 5)
        #expect(batch.value(at: 3) == Array("{\"y\":\"ü\"}".utf8) && batch.key(at: 3) == Array("k2".utf8))
        #expect(batch.key(at: 4) == nil && batch.value(at: 4) == Array("last".utf8))

        try producer.enqueue(batch)
        try producer.waitForDeliveries()
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        #expect(try reader.watermarks(of: [TopicPartition("out", 0)])[TopicPartition("out", 0)]?.high == 5, "the five records, and nothing else")
        var received: [KafkaRecord] = []
        try reader.read([PartitionRange("out", 0, start: 0, end: 5)]) { received.append(contentsOf: $0.copyAll()) }
        #expect(received.map(\.value) == (cases.map(\.value) + ["last"]).map { Array($0.utf8) }, "an empty value stays empty, not null")
        #expect(received.map(\.key) == (cases.map(\.key) + [nil]).map { $0.map { Array($0.utf8) } }, "an empty key stays empty; no key stays none")
        #expect(received.allSatisfy { $0.headers == headers })
    }

    @Test("batches enqueued without waiting all land, in enqueue order, once the wait returns")
    func enqueueThenWait() throws {
        let fixture = try KafkaFixture(topics: ["out": 1])
        let producer = try KafkaProducer(configuration: fixture.configuration)
        var expected: [String] = []
        for part in 0..<5 {
            var batch = KafkaOutgoingBatch(topic: "out", headers: [KafkaHeader(name: "part", text: String(part))])
            for n in 0..<2_000 {
                let value = "\(part)-\(n)"
                batch.append { $0.append(contentsOf: value.utf8) }
                expected.append(value)
            }
            try producer.enqueue(batch)
        }
        // What a sink does between parts: at most 1 000 left in flight, every other one reported.
        try producer.waitUntilOutstanding(atMost: 1_000, timeout: .seconds(30))
        #expect(producer.outstandingRecords <= 1_000)
        try producer.waitForDeliveries(timeout: .seconds(30))
        #expect(producer.outstandingRecords == 0)
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        let high = try #require(try reader.watermarks(of: [TopicPartition("out", 0)])[TopicPartition("out", 0)]).high
        #expect(high == 10_000, "every record acknowledged by the time the wait returned")
        var received: [KafkaRecord] = []
        try reader.read([PartitionRange("out", 0, start: 0, end: high)]) { received.append(contentsOf: $0.copyAll()) }
        #expect(received.count == expected.count)
        #expect(received.map(\.valueText).elementsEqual(expected), "every record once, in enqueue order")
        #expect(received.first?.headers == [KafkaHeader(name: "part", text: "0")] && received.last?.headers == [KafkaHeader(name: "part", text: "4")])
        // Nothing is left outstanding: a second wait has nothing to wait for.
        try producer.waitForDeliveries(timeout: .milliseconds(1))
    }

    @Test("a wait for records enqueued while the broker is down fails within its timeout, retriable, and leaves nothing outstanding")
    func enqueueWhileBrokerDown() throws {
        let fixture = try KafkaFixture(topics: ["down": 1])
        let producer = try Self.producerWithBrokerDown(fixture, messageTimeoutMs: 60_000)
        try producer.enqueue(Self.hundredRecords(to: "down"))
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: KafkaError.self) { try producer.waitForDeliveries(timeout: .seconds(2)) }
        #expect(clock.now - started < .seconds(8), "the wait purges what is left at its timeout instead of waiting for message.timeout.ms")
        #expect(error?.isRetriable == true)
        try fixture.broker.setAllBrokersUp()
        try producer.waitForDeliveries(timeout: .milliseconds(1))
    }

    @Test("records given up while the broker is down are dropped at once, and the producer goes away cleanly")
    func abandonWhileBrokerDown() throws {
        let fixture = try KafkaFixture(topics: ["down": 1])
        let clock = ContinuousClock()
        do {
            let producer = try Self.producerWithBrokerDown(fixture, messageTimeoutMs: 60_000)
            let batch = Self.hundredRecords(to: "down")
            try producer.enqueue(batch)
            #expect(producer.heldByLibrary >= 100, "the records wait in librdkafka while the broker is down")
            let started = clock.now
            producer.abandonDeliveries()
            #expect(clock.now - started < .seconds(5))
            // Nothing left behind: not in librdkafka's queues, not in the producer's outcomes.
            #expect(producer.heldByLibrary == 0)
            #expect(producer.keptOutcomes == 0)
            #expect(producer.outstandingRecords == 0)
            try producer.waitForDeliveries(timeout: .milliseconds(1))
            // Enqueued again and dropped with the producer: its delivery reports must not
            // arrive in freed memory.
            try producer.enqueue(batch)
        }
        try fixture.broker.setAllBrokersUp()
    }

    @Test("an enqueue that finds librdkafka's queue full waits for room: every record lands once, in order, and the queue stays within its bound")
    func enqueueWaitsForRoom() throws {
        let fixture = try KafkaFixture(topics: ["big": 1])
        // Room for three of the 16 KiB records below.
        let producer = try KafkaProducer(configuration: KafkaConfiguration(
            bootstrapServers: fixture.broker.bootstrapServers, properties: ["queue.buffering.max.kbytes": "64"]))
        var batch = KafkaOutgoingBatch(topic: "big")
        for n in 0..<200 {
            batch.append { value in
                value.append(contentsOf: "\(n):".utf8)
                value.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: 16 << 10))
            }
        }
        try producer.enqueue(batch, timeout: .seconds(60))
        // Three records fit in 64 KiB; the count also includes delivery reports not yet served.
        #expect(producer.heldByLibrary < 10, "librdkafka holds about its 64 KiB, not the 200 records")
        try producer.waitForDeliveries(timeout: .seconds(60))
        let reader = try KafkaRangeReader(configuration: fixture.configuration)
        var received: [KafkaRecord] = []
        try reader.read([PartitionRange("big", 0, start: 0, end: 200)]) { received.append(contentsOf: $0.copyAll()) }
        #expect(received.compactMap { $0.valueText?.split(separator: ":").first.map(String.init) } == (0..<200).map(String.init))
        #expect(received.allSatisfy { $0.value?.count == "\($0.offset):".utf8.count + (16 << 10) })
        #expect(try reader.watermarks(of: [TopicPartition("big", 0)])[TopicPartition("big", 0)]?.high == 200, "each record once")
    }

    @Test("a keyed record goes to the partition its key hashes to, every time")
    func keyedPartitioning() throws {
        let fixture = try KafkaFixture(topics: ["keyed": 4])
        let producer = try KafkaProducer(configuration: fixture.configuration)
        let first = try producer.send((0..<20).map { KafkaOutgoingRecord(topic: "keyed", key: Array("user-\($0)".utf8), value: [0]) })
        let second = try producer.send((0..<20).map { KafkaOutgoingRecord(topic: "keyed", key: Array("user-\($0)".utf8), value: [1]) })
        #expect(first.map(\.partition) == second.map(\.partition))
        #expect(Set(first.map(\.partition)).count > 1)
    }

    @Test("an unknown property and a bad value are errors naming the property")
    func badProperties() throws {
        let unknown = #expect(throws: KafkaError.self) {
            _ = try KafkaRangeReader(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["fetch.wait.mx.ms": "5"]))
        }
        #expect(unknown?.code == .invalidArgument)
        #expect(unknown?.message.contains("unknown librdkafka property 'fetch.wait.mx.ms'") == true)

        let invalid = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["linger.ms": "soon"]))
        }
        #expect(invalid?.message.contains("invalid value for librdkafka property 'linger.ms'") == true)
    }

    @Test("secret values are masked in a configuration's description and errors")
    func secretsMasked() throws {
        let configuration = KafkaConfiguration(
            bootstrapServers: "b:9092",
            properties: ["sasl.password": "hunter2", "sasl.username": "me", "ssl.key.password": "pw2"])
        #expect(!configuration.description.contains("hunter2"))
        #expect(!configuration.description.contains("pw2"))
        #expect(configuration.description.contains("sasl.username=me"))
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: KafkaConfiguration(properties: ["custom.password": "hunter2"]))
        }
        #expect(error?.description.contains("'custom.password' = '***'") == true)
        #expect(error.map { !$0.description.contains("hunter2") } == true)
    }

    @Test("a send to a broker that is down fails within its timeout with a retriable error")
    func sendWhileBrokerDown() throws {
        let fixture = try KafkaFixture(topics: ["down": 1])
        let producer = try Self.producerWithBrokerDown(fixture, messageTimeoutMs: 1_500)
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: KafkaError.self) {
            try producer.send([KafkaOutgoingRecord(topic: "down", value: [2])], timeout: .seconds(10))
        }
        #expect(clock.now - started < .seconds(10))
        #expect(error?.isRetriable == true)
        try fixture.broker.setAllBrokersUp()
    }

    /// A producer that has delivered one record to "down" (so it knows the topic and has its
    /// producer id), then the fixture's brokers taken down.
    static func producerWithBrokerDown(_ fixture: KafkaFixture, messageTimeoutMs: Int) throws -> KafkaProducer {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(
            bootstrapServers: fixture.broker.bootstrapServers, properties: ["message.timeout.ms": String(messageTimeoutMs)]))
        try producer.send([KafkaOutgoingRecord(topic: "down", value: [1])])
        try fixture.broker.setAllBrokersDown()
        return producer
    }

    /// A batch of 100 one-byte records to `topic`.
    static func hundredRecords(to topic: String) -> KafkaOutgoingBatch {
        var batch = KafkaOutgoingBatch(topic: topic)
        for _ in 0..<100 { batch.append { $0.append(7) } }
        return batch
    }
}
