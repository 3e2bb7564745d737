/// A service call's coded input or output: a range of a byte array, read in place. A
/// payload that arrived inside a message is that message's bytes and its range in them,
/// not a copy: copying each chunk's payload out of its envelope, on the worker and again
/// for the answer on rank 0, cost a `malloc` and a `memcpy` per message (issue 18).
///
/// The array is shared, not copied (Swift arrays are copy-on-write), so a payload keeps its
/// whole message alive while it lives.
@usableFromInline
struct PayloadBytes: Sendable, Equatable {
    /// The bytes the payload lies in.
    let base: [UInt8]
    /// Where it lies in ``base``.
    let range: Range<Int>

    /// A payload that is all of `bytes`.
    init(_ bytes: [UInt8]) {
        base = bytes
        range = 0..<bytes.count
    }

    /// The payload `base[range]`.
    /// - Precondition: `range` lies within `base`.
    init(base: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= base.count, "payload range \(range) outside 0..<\(base.count)")
        self.base = base
        self.range = range
    }

    /// The number of bytes.
    var count: Int { range.count }

    /// The bytes, without a copy when the payload is all of ``base``.
    var bytes: [UInt8] { range == 0..<base.count ? base : Array(base[range]) }

    @usableFromInline
    static func == (left: PayloadBytes, right: PayloadBytes) -> Bool {
        left.base[left.range].elementsEqual(right.base[right.range])
    }
}
