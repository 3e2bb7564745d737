/// How a type travels, decided once per type and cached: a direct codec for scalars and
/// arrays of scalars (no `Encoder` machinery per element), the optional flag, or the type's
/// own `Codable` implementation. Without the cache each generic value costs two failing
/// dynamic casts, over a thousand instructions.
enum CodingShape {
    case direct(ValueCodec)
    case optional
    case other

    private static let cache = Locked<[ObjectIdentifier: CodingShape]>([:])

    static func of<T>(_ type: T.Type) -> CodingShape {
        let key = ObjectIdentifier(type)
        if let known = cache.withLock({ $0[key] }) { return known }
        let shape: CodingShape
        if type is any AnyOptional.Type {
            shape = .optional
        } else if let scalar = type as? any BinaryPrimitive.Type {
            shape = .direct(scalar.valueCodec)
        } else if let array = type as? any ScalarArray.Type {
            shape = .direct(array.valueCodec)
        } else {
            shape = .other
        }
        cache.withLock { $0[key] = shape }
        return shape
    }
}

/// Writes and reads one value of a known type through raw pointers, so callers holding a
/// generic `T` need no casts.
struct ValueCodec {
    let write: (UnsafeRawPointer, inout [UInt8]) -> Void
    /// Initializes the memory at the pointer with the value read.
    let read: (ByteReader, UnsafeMutableRawPointer, [any CodingKey]) throws -> Void
}

/// Any `Optional`, whatever its payload.
protocol AnyOptional {}
extension Optional: AnyOptional {}

extension BinaryPrimitive {
    static var valueCodec: ValueCodec {
        ValueCodec(
            write: { pointer, bytes in pointer.assumingMemoryBound(to: Self.self).pointee.write(to: &bytes) },
            read: { reader, out, path in out.initializeMemory(as: Self.self, to: try Self.read(from: reader, path)) }
        )
    }
}

/// Arrays of scalars, written as their count and the scalars (the same bytes as the
/// `Encoder` path produces).
protocol ScalarArray {
    static var valueCodec: ValueCodec { get }
}

extension Array: ScalarArray where Element: BinaryPrimitive {
    static var valueCodec: ValueCodec {
        ValueCodec(
            write: { pointer, bytes in Element.writeArray(pointer.assumingMemoryBound(to: [Element].self).pointee, to: &bytes) },
            read: { reader, out, path in out.initializeMemory(as: [Element].self, to: try Element.readArray(from: reader, path)) }
        )
    }
}
