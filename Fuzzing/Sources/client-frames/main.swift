import Foundation
import FuzzSupport
import NIOCore
import NIOEmbedded
@testable import TaskFarm

/// Decodes each frame the way both ends of a connection do: the first as the client's hello
/// (the endpoints authenticate it before anything else), every frame as a request (the
/// endpoints) and as a response (the client); a decoded message must survive its own JSON
/// round trip.
private final class FrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var frames = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        frames += 1
        let body = Data(unwrapInboundIn(data).readableBytesView)
        if frames == 1, let hello = try? JSONDecoder().decode(ClientHello.self, from: body) {
            guard let json = try? JSONEncoder().encode(hello),
                  (try? JSONDecoder().decode(ClientHello.self, from: json)) == hello else {
                fatalError("a hello does not survive its JSON round trip: \(String(decoding: body, as: UTF8.self))")
            }
        }
        if let request = try? JSONDecoder().decode(ClientRequest.self, from: body) {
            guard let json = try? JSONEncoder().encode(request),
                  (try? JSONDecoder().decode(ClientRequest.self, from: json)) == request else {
                fatalError("a request does not survive its JSON round trip: \(String(decoding: body, as: UTF8.self))")
            }
        }
        if let response = try? JSONDecoder().decode(ClientResponse.self, from: body) {
            guard let json = try? JSONEncoder().encode(response),
                  (try? JSONDecoder().decode(ClientResponse.self, from: json)) == response else {
                fatalError("a response does not survive its JSON round trip: \(String(decoding: body, as: UTF8.self))")
            }
        }
    }
}

/// A TCP byte stream from a client (or a farm), as the endpoints' pipeline reads it: split
/// into frames by ``FrameDecoder`` (the first bounded as a hello is) and each frame decoded. The first input byte sets the size
/// of the first 16 pieces the stream arrives in (0: all at once), so frames split across
/// reads are covered too.
func fuzzClientFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var bytes = [UInt8](FuzzInput.data(data, size))
    guard !bytes.isEmpty else { return 0 }
    let piece = Int(bytes.removeFirst())
    let reader = FrameReader()
    let channel = EmbeddedChannel()
    do {
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(FrameDecoder(maximumBytes: ClientProtocol.maximumMessageBytes,
                                             maximumFirstBytes: ClientProtocol.maximumHelloBytes)))
        try channel.pipeline.syncOperations.addHandler(reader)
    } catch {
        fatalError("cannot build the pipeline: \(error)")
    }
    var offset = 0
    var pieces = 0
    while offset < bytes.count {
        // After a few pieces the rest comes at once: each read costs a trip through the
        // pipeline, and a few boundaries cover what many would.
        pieces += 1
        let end = piece == 0 || pieces > 16 ? bytes.count : min(bytes.count, offset + piece)
        var buffer = channel.allocator.buffer(capacity: end - offset)
        buffer.writeBytes(bytes[offset..<end])
        offset = end
        // A frame over the limit is an error that closes the connection: the stream ends there.
        do { try channel.writeInbound(buffer) } catch { break }
    }
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return 0
}

FuzzDriver.run(fuzzClientFrames)
