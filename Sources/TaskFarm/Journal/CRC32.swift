/// CRC-32 (IEEE 802.3, the polynomial of zlib and PNG), to tell a whole journal record
/// from a torn one.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = (value & 1) != 0 ? (0xEDB8_8320 ^ (value >> 1)) : (value >> 1) }
        return value
    }

    /// The checksum of `bytes`. Bytes held contiguously (an array, a native string's UTF-8)
    /// are read in place, without bounds checks: rank 0 checksums two records per task.
    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        table.withUnsafeBufferPointer { table in
            if let crc = bytes.withContiguousStorageIfAvailable({ update(0xFFFF_FFFF, with: $0, table: table) }) {
                return crc ^ 0xFFFF_FFFF
            }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            return crc ^ 0xFFFF_FFFF
        }
    }

    private static func update(_ start: UInt32, with bytes: UnsafeBufferPointer<UInt8>,
                               table: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var crc = start
        // The index is masked to 0...255 and the table has 256 entries.
        for byte in bytes { crc = table.baseAddress.unsafelyUnwrapped[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc
    }
}
