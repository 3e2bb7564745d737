/// The check every name-server lookup's timeout goes through, in the library
/// (``ServiceClient/lookup(_:timeout:)``, ``QueueClient/lookup(_:timeout:)``) and the command
/// line (`taskfarm name lookup --wait`): a NaN one waited for ever at the name server, a
/// negative one was quietly taken as 0, and an infinite one could not be sent.
public enum LookupTimeout {
    /// What is wrong with `seconds` as a lookup's timeout, in words naming `name` (the
    /// parameter or option), or `nil` when it is 0 or more and finite.
    public static func problem(_ seconds: Double, name: String) -> String? {
        seconds >= 0 && seconds.isFinite ? nil : "\(name) \(seconds): expected seconds of 0 or more"
    }
}
