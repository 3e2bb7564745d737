/// Ids written compactly, as `taskfarm submit` prints them and squeue shows an array's
/// pending elements: `12`, `12-111`, or comma-separated runs (`1-3,7`).
public enum IDRanges {
    /// `ids` in their order, each run of consecutive ids as `FIRST-LAST`.
    public static func format(_ ids: [Int]) -> String {
        var runs: [String] = []
        var index = 0
        while index < ids.count {
            var end = index
            while end + 1 < ids.count, ids[end + 1] == ids[end] + 1 { end += 1 }
            runs.append(end == index ? "\(ids[index])" : "\(ids[index])-\(ids[end])")
            index = end + 1
        }
        return runs.joined(separator: ",")
    }
}
