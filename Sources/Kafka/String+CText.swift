extension String {
    /// The text librdkafka wrote into `buffer` (an error message or a property's value): the
    /// bytes up to the first NUL, or all of them without one, decoded as UTF-8.
    init(cText buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
