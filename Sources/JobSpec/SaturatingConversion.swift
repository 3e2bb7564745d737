extension Int {
    /// `value` rounded toward zero and clamped to `Int.min ... Int.max`; NaN gives 0.
    ///
    /// `Int(_: Double)` traps on NaN, infinities and values out of range; a duration or
    /// size read from a file, the command line, a client or a journal goes through this
    /// instead, so that no accepted value can stop a rank.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if value <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
