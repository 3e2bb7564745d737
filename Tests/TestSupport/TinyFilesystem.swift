import Glibc

/// A small tmpfs for disk-full tests, mounted with mount(2): a state folder on it fills
/// after a few hundred journal records. Root only; callers skip with the reason otherwise.
public enum TinyFilesystem {
    /// Mounts a tmpfs of `size` (`16k`, `64k`, `1m`) at `path`, an existing empty folder;
    /// false when mounting is not permitted here.
    public static func mount(at path: String, size: String) -> Bool {
        Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0755") == 0
    }

    /// Gives the tmpfs at `path` a new size, keeping its files.
    public static func resize(_ path: String, size: String) -> Bool {
        Glibc.mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT), "size=\(size)") == 0
    }

    /// Detaches the tmpfs at `path`.
    public static func unmount(_ path: String) {
        _ = umount2(path, Int32(MNT_DETACH))
    }
}
