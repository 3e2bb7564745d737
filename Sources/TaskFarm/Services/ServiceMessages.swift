/// How a service call's input and output are coded.
@usableFromInline
enum PayloadFormat: UInt8, Sendable {
    /// JSON: calls from outside the allocation (`taskfarm call`), where people write them.
    case json = 0
    /// The MPI module's compact `BinaryEncoder` coding: calls from the program's own ranks.
    case binary = 1
}

/// A service call between ranks (tag ``MessageTag/serviceCall``): from a caller to the
/// broker (rank 0), and from the broker to the worker that runs it.
struct ServiceCallMessage: Sendable, Equatable {
    /// The sender's id for the call; its reply echoes it.
    var id: Int
    var service: String
    /// Whether `payload` is an array of inputs (a chunk of a `map`) rather than one input.
    var batch: Bool
    /// How the input is coded; the output comes back coded the same way.
    var format: PayloadFormat
    /// The coded input, read in place from the received message.
    var payload: PayloadBytes

}

extension ServiceCallMessage: WireMessage {
    var encodedSizeHint: Int { 32 + payload.count }

    func write(to writer: inout WireWriter) {
        writer.write(id, service, batch, Int(format.rawValue))
        writer.write(payload)
    }

    init(from reader: inout WireReader) throws(WireError) {
        id = try reader.readInt()
        service = try reader.readString()
        batch = try reader.readBool()
        guard let format = PayloadFormat(rawValue: UInt8(truncatingIfNeeded: try reader.readInt())) else {
            throw WireError(description: "unknown service payload format")
        }
        self.format = format
        payload = try reader.readPayload()
    }
}

/// The answer to a ``ServiceCallMessage`` (tag ``MessageTag/serviceReply``): the output,
/// coded as the call's input was, or the error.
struct ServiceReplyMessage: Sendable, Equatable {
    var id: Int
    var result: Result<PayloadBytes, ServiceError>

}

extension ServiceReplyMessage: WireMessage {
    var encodedSizeHint: Int {
        if case .success(let payload) = result { return 16 + payload.count }
        return 64
    }

    func write(to writer: inout WireWriter) {
        writer.write(id)
        switch result {
        case .success(let payload):
            writer.write(true)
            writer.write(payload)
        case .failure(let error):
            writer.write(false, error.kind.rawValue, error.service, error.message, error.errorType)
            writer.write(error.inputIndex)
        }
    }

    init(from reader: inout WireReader) throws(WireError) {
        id = try reader.readInt()
        if try reader.readBool() {
            result = .success(try reader.readPayload())
        } else {
            let kind = ServiceError.Kind(rawValue: try reader.readInt()) ?? .serviceThrew
            result = .failure(ServiceError(kind, service: try reader.readString(), message: try reader.readString(),
                                           errorType: try reader.readOptionalString(), inputIndex: try reader.readOptionalInt()))
        }
    }
}
