/// How a service call's input and output are coded.
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
    /// The coded input.
    var payload: [UInt8]

    func encode() -> [UInt8] {
        var writer = WireWriter(capacity: 32 + payload.count)
        writer.write(id)
        writer.write(service)
        writer.write(batch)
        writer.write(Int(format.rawValue))
        writer.write(UInt64(payload.count))
        var bytes = writer.bytes
        bytes.append(contentsOf: payload)
        return bytes
    }

    init(id: Int, service: String, batch: Bool, format: PayloadFormat, payload: [UInt8]) {
        self.id = id
        self.service = service
        self.batch = batch
        self.format = format
        self.payload = payload
    }

    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        id = try reader.readInt()
        service = try reader.readString()
        batch = try reader.readBool()
        guard let format = PayloadFormat(rawValue: UInt8(truncatingIfNeeded: try reader.readInt())) else {
            throw WireError(description: "unknown service payload format")
        }
        self.format = format
        let count = try reader.readCount()
        payload = try reader.readBytes(count)
    }
}

/// The answer to a ``ServiceCallMessage`` (tag ``MessageTag/serviceReply``): the output,
/// coded as the call's input was, or the error.
struct ServiceReplyMessage: Sendable, Equatable {
    var id: Int
    var result: Result<[UInt8], ServiceError>

    func encode() -> [UInt8] {
        var writer = WireWriter()
        writer.write(id)
        switch result {
        case .success(let payload):
            writer.write(true)
            writer.write(UInt64(payload.count))
            var bytes = writer.bytes
            bytes.append(contentsOf: payload)
            return bytes
        case .failure(let error):
            writer.write(false)
            writer.write(error.kind.rawValue)
            writer.write(error.service)
            writer.write(error.message)
            writer.write(error.errorType)
            return writer.bytes
        }
    }

    init(id: Int, result: Result<[UInt8], ServiceError>) {
        self.id = id
        self.result = result
    }

    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        id = try reader.readInt()
        if try reader.readBool() {
            let count = try reader.readCount()
            result = .success(try reader.readBytes(count))
        } else {
            let kind = ServiceError.Kind(rawValue: try reader.readInt()) ?? .serviceThrew
            result = .failure(ServiceError(kind, service: try reader.readString(), message: try reader.readString(),
                                           errorType: try reader.readOptionalString()))
        }
    }
}
