/// Attempts made on one task, as the scheduler and the journal replay keep them: one per
/// task, 32 bits wide, so that a count never wraps (a task retries at most
/// `FarmLimits.maximumRetries` times per run, and a resume counts on from the journal).
/// At `UInt32.max` a task is not retried again, whatever its retry budget.
public typealias AttemptCount = UInt32
