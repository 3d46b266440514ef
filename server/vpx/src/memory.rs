//! The C allocator's free memory, handed back to the system.

/// Hands memory that was freed — libvpx's frame buffers and everything
/// else a finished session allocated — back to the operating system.
///
/// glibc keeps freed blocks in the arenas of the threads that freed them
/// for reuse, so without this a server's resident memory stays at its
/// high-water mark after sessions end and creeps up as sessions come and
/// go. Returns whether memory was released; it does nothing (and returns
/// false) on other C libraries.
///
/// ```
/// // Safe to call at any time, from any thread.
/// let _released: bool = framewise_vpx::release_free_memory();
/// ```
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim takes no pointers; it walks glibc's own
        // arenas under their locks and only returns free pages.
        unsafe { malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// This process's resident memory, KiB.
    fn rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    #[test]
    fn freed_memory_goes_back_to_the_system() {
        // 64 MiB in small blocks (below glibc's mmap threshold, so they
        // come from an arena), the last one kept: freeing the others
        // leaves free pages under a live block, which free() keeps.
        let mut blocks: Vec<Vec<u8>> = (0..65_536).map(|i| vec![i as u8; 1024]).collect();
        let last = blocks.pop();
        let full = rss_kib();
        drop(blocks);
        let freed = rss_kib();
        assert!(release_free_memory(), "nothing was released");
        let released = rss_kib();
        println!("RSS: {full} KiB full, {freed} KiB freed, {released} KiB released");
        assert!(
            released + 32 * 1024 < freed,
            "RSS went from {freed} to only {released} KiB"
        );
        drop(last);
    }
}
