/// A message of the farm's binary wire format (``WireWriter``, ``WireReader``): the one
/// protocol every message between ranks follows. A message writes its fields in order and
/// reads them back in the same order; ``encode()`` and ``init(decoding:)`` wrap that for the
/// transport.
protocol WireMessage {
    /// Appends the fields, in the order ``init(from:)`` reads them.
    func write(to writer: inout WireWriter)
    /// Reads the fields ``write(to:)`` wrote.
    ///
    /// - Throws: ``WireError`` when the bytes are truncated or malformed.
    init(from reader: inout WireReader) throws(WireError)
    /// Bytes to reserve for the encoding, so that a typical message needs no regrowth.
    var encodedSizeHint: Int { get }
}

extension WireMessage {
    /// 64 bytes.
    var encodedSizeHint: Int { 64 }

    /// The message as bytes for the transport.
    func encode() -> [UInt8] {
        var writer = WireWriter(capacity: encodedSizeHint)
        write(to: &writer)
        return writer.bytes
    }

    /// Reads a message from the bytes a transport delivered.
    ///
    /// - Throws: ``WireError`` when the bytes are truncated or malformed.
    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        try self.init(from: &reader)
    }
}
