/// Which of a worker's inherited variables a task keeps, and which of its own variables
/// (by index in its override list) it sets: ``TaskEnvironmentBuilder``'s work that depends
/// only on the names the task overrides.
struct EnvironmentShape {
    /// Indices into the inherited entries, in their (sorted) order.
    var kept: [Int]
    /// Indices into the task's overrides, the last setting of each name first.
    var own: [Int]
}

/// The ``EnvironmentShape`` of the last set of overridden names. The tasks of one job
/// override the same names in the same order (the farm's `TASKFARM_*`, then the format's),
/// so the scan of every inherited name against them, hashing each, is done once rather than
/// for every task a worker starts.
///
/// Not for sharing between threads: each builder (a worker's executor, a DAG's script
/// runner) uses its own from one thread.
final class EnvironmentShapeMemo {
    private var names: [String]?
    private var shape = EnvironmentShape(kept: [], own: [])

    /// The shape for `names`: the remembered one when the names are the last call's, in
    /// order, else `make()`'s, remembered.
    func shape(overriding names: [String], make: () -> EnvironmentShape) -> EnvironmentShape {
        if names == self.names { return shape }
        shape = make()
        self.names = names
        return shape
    }
}
