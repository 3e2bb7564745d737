/// A service call between ranks (tag ``MessageTag/serviceCall``): from a caller to the
/// broker (rank 0), and from the broker to the worker that runs it.
struct ServiceCallMessage: Sendable, Equatable {
    /// The sender's id for the call; its reply echoes it.
    var id: Int
    var service: String
    /// Whether `payload` is a JSON array of inputs (a chunk of a `map`) rather than one input.
    var batch: Bool
    /// The input as JSON.
    var payload: [UInt8]

    func encode() -> [UInt8] {
        var writer = WireWriter(capacity: 32 + payload.count)
        writer.write(id)
        writer.write(service)
        writer.write(batch)
        writer.write(UInt64(payload.count))
        var bytes = writer.bytes
        bytes.append(contentsOf: payload)
        return bytes
    }

    init(id: Int, service: String, batch: Bool, payload: [UInt8]) {
        self.id = id
        self.service = service
        self.batch = batch
        self.payload = payload
    }

    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        id = try reader.readInt()
        service = try reader.readString()
        batch = try reader.readBool()
        let count = try reader.readCount()
        payload = []
        payload.reserveCapacity(count)
        for _ in 0..<count { payload.append(try reader.readByte()) }
    }
}

/// The answer to a ``ServiceCallMessage`` (tag ``MessageTag/serviceReply``): the output as
/// JSON, or the error.
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
            var payload: [UInt8] = []
            payload.reserveCapacity(count)
            for _ in 0..<count { payload.append(try reader.readByte()) }
            result = .success(payload)
        } else {
            let kind = ServiceError.Kind(rawValue: try reader.readInt()) ?? .serviceThrew
            result = .failure(ServiceError(kind, service: try reader.readString(), message: try reader.readString(),
                                           errorType: try reader.readOptionalString()))
        }
    }
}
