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

/// Caps the C allocator at `max` arenas (at least 1), so memory that one
/// session's threads freed is reused by the next instead of sitting in
/// arenas of their own.
///
/// glibc gives threads up to eight arenas per core; as sessions come and
/// go on a server's worker threads, each arena keeps its own free, partly
/// used pages, and resident memory climbs long after the sessions ended
/// (here: 57 MB after twelve sessions at once against 16 MB with one
/// arena per core, at the same throughput). Call it first thing in
/// `main`, before threads start. Returns whether the cap was set; it does
/// nothing (and returns false) on other C libraries.
///
/// ```
/// let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
/// let _capped: bool = framewise_vpx::limit_allocator_arenas(cores);
/// ```
pub fn limit_allocator_arenas(max: usize) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        /// glibc's `M_ARENA_MAX` (malloc.h).
        const M_ARENA_MAX: std::ffi::c_int = -8;
        let max = std::ffi::c_int::try_from(max.max(1)).unwrap_or(std::ffi::c_int::MAX);
        // SAFETY: mallopt takes no pointers; it sets one of glibc's
        // allocator parameters under its own lock.
        unsafe { mallopt(M_ARENA_MAX, max) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = max;
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

    /// glibc's arenas, counted from the `<heap nr=…>` entries of
    /// `malloc_info`'s report.
    fn arena_count() -> usize {
        use std::ffi::{c_char, c_int, c_void, CString};
        extern "C" {
            fn fopen(path: *const c_char, mode: *const c_char) -> *mut c_void;
            fn fclose(file: *mut c_void) -> c_int;
            fn malloc_info(options: c_int, file: *mut c_void) -> c_int;
        }
        let path =
            std::env::temp_dir().join(format!("framewise-arenas-{}.xml", std::process::id()));
        let c_path =
            CString::new(path.to_string_lossy().as_bytes()).expect("a temp path has no NUL byte");
        // SAFETY: both strings are NUL-terminated and outlive the calls;
        // the FILE is checked for null, written once and closed.
        unsafe {
            let file = fopen(c_path.as_ptr(), c"w".as_ptr());
            assert!(!file.is_null(), "cannot write {}", path.display());
            assert_eq!(malloc_info(0, file), 0, "malloc_info failed");
            fclose(file);
        }
        let report = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        report.matches("<heap nr=").count()
    }

    #[test]
    fn capped_arenas_are_shared_by_new_threads() {
        let before = arena_count();
        assert!(before >= 1, "malloc_info reported no arena");
        assert!(limit_allocator_arenas(before), "mallopt refused the cap");
        // Eight threads allocating at once would get arenas of their own.
        let barrier = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            for i in 0..8 {
                let barrier = &barrier;
                scope.spawn(move || {
                    let blocks: Vec<Box<[u8; 256]>> = (0..64).map(|_| Box::new([i; 256])).collect();
                    barrier.wait();
                    drop(blocks);
                });
            }
        });
        let after = arena_count();
        assert_eq!(
            after, before,
            "eight threads took the arenas from {before} to {after}"
        );
    }
}
