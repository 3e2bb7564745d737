import NIOCore

/// Splits a TCP byte stream into ``ClientProtocol`` frames: a 4-byte big-endian length,
/// then the body. A length over the limit is an error, which closes the connection
/// before the body is buffered.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// The largest body accepted, in bytes.
    let maximumBytes: Int

    /// A frame length over ``maximumBytes``.
    struct TooLarge: Error, CustomStringConvertible {
        var length: Int
        var limit: Int
        var description: String { "a message of \(length) bytes; the limit is \(limit)" }
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= maximumBytes else { throw TooLarge(length: Int(length), limit: maximumBytes) }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

extension ByteBufferAllocator {
    /// `body` as one frame: its length as 4 bytes big-endian, then the bytes.
    func frame(_ body: [UInt8]) -> ByteBuffer {
        var buffer = buffer(capacity: 4 + body.count)
        buffer.writeInteger(UInt32(body.count))
        buffer.writeBytes(body)
        return buffer
    }
}
