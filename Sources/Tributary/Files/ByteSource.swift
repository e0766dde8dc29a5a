internal import CZlib
import Glibc

/// A forward-only stream of a file's bytes: the file as it is, or the content of a gzip file
/// (concatenated members included). Reads in large chunks; never holds the whole file.
final class ByteSource {
    /// Why the stream ended early.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case io(String)
        /// The gzip data is cut short or damaged; what came before it was delivered.
        case corruptGzip(String)

        // Dead letters and logs show this text to users: the message, not the enum case.
        var description: String {
            switch self {
            case .io(let message), .corruptGzip(let message): return message
            }
        }
    }

    private let descriptor: Int32
    private let path: String
    private let inflater: Inflater?

    init(path: String, gzip: Bool) throws(Failure) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else {
            throw .io("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        inflater = gzip ? Inflater() : nil
    }

    deinit { close(descriptor) }

    /// Skips to `offset` of a plain file (gzip streams must be read through instead).
    func seek(to offset: Int64) throws(Failure) {
        precondition(inflater == nil, "gzip streams cannot seek")
        guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw .io("cannot seek \(path) to byte \(offset): \(String(cString: strerror(errno)))")
        }
    }

    /// Fills `buffer` with up to `capacity` bytes; returns 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws(Failure) -> Int {
        guard let inflater else { return try readRaw(into: buffer, capacity: capacity) }
        return try inflater.inflate(into: buffer, capacity: capacity) { raw, count throws(Failure) in
            try readRaw(into: raw, capacity: count)
        }
    }

    private func readRaw(into buffer: UnsafeMutableRawPointer, capacity: Int) throws(Failure) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer, capacity)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .io("cannot read \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// zlib inflate state with its own input buffer.
private final class Inflater {
    private var stream = z_stream()
    private let input: UnsafeMutableRawPointer
    private let inputCapacity = 1 << 18
    private var initialized = false
    private var finishedMember = false
    private var atEndOfInput = false
    private var producedAny = false
    /// Damage found while inflating bytes that were still returned; thrown by the next call.
    private var damage: ByteSource.Failure?

    init() {
        input = .allocate(byteCount: inputCapacity, alignment: 16)
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        input.deallocate()
    }

    func inflate(
        into buffer: UnsafeMutableRawPointer,
        capacity: Int,
        refill: (UnsafeMutableRawPointer, Int) throws(ByteSource.Failure) -> Int
    ) throws(ByteSource.Failure) -> Int {
        if let damage { throw damage }
        if !initialized {
            guard czlib_inflate_init(&stream) == Z_OK else { throw .corruptGzip("zlib could not start") }
            initialized = true
        }
        stream.next_out = buffer.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(capacity)
        while stream.avail_out == uInt(capacity) {
            if stream.avail_in == 0 && !atEndOfInput {
                let count = try refill(input, inputCapacity)
                if count == 0 { atEndOfInput = true }
                stream.next_in = input.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(count)
            }
            if stream.avail_in == 0 && atEndOfInput {
                if finishedMember || !producedAny && stream.total_in == 0 { return 0 }
                throw .corruptGzip("the gzip stream is truncated (it ends before its end marker)")
            }
            if finishedMember {
                // Another gzip member follows the one that ended (as `cat a.gz b.gz` makes).
                inflateReset(&stream)
                finishedMember = false
            }
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                finishedMember = true
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                let failure = ByteSource.Failure.corruptGzip("the gzip data is corrupt (\(reason))")
                // Deliver what inflated before the damage first.
                guard stream.avail_out != uInt(capacity) else { throw failure }
                damage = failure
                return capacity - Int(stream.avail_out)
            }
            producedAny = producedAny || stream.avail_out != uInt(capacity)
        }
        return capacity - Int(stream.avail_out)
    }
}
