//! The server's allocator must hand a password hash's 19 MiB back to the OS when the hash is
//! done (`.cargo/config.toml`): otherwise an idle server holds it, once for the dummy hash made
//! at start-up and once more for every thread that has checked a password.
//!
//! Its own test binary, so that it runs alone and allocates with the server's allocator.

use app::ssr::password::Hasher;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resident anonymous memory of this process, in KiB (Linux).
fn rss_anon_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_hash_leaves_no_memory_behind() {
    let Some(before) = rss_anon_kib() else {
        eprintln!("skipped: no /proc/self/status here");
        return;
    };
    let hasher = Hasher::new().expect("the hasher starts");
    let stored = hasher.hash("correct horse".into()).await.expect("hashed");
    for _ in 0..3 {
        assert!(hasher
            .verify("correct horse".into(), Some(stored.clone()))
            .await
            .expect("verified"));
        assert!(!hasher.verify("wrong".into(), None).await.expect("verified"));
    }
    let after = rss_anon_kib().expect("read once already");
    let grown_mib = after.saturating_sub(before) / 1024;
    // Each hash touches all of its 19 MiB; eight of them ran, on up to three threads.
    assert!(
        grown_mib < 8,
        "{grown_mib} MiB more resident after eight password hashes ({before} KiB → {after} KiB)"
    );
}
