//! Whether the database is known to be away, so that requests fail at once with a clear page
//! instead of each waiting seconds for a connection that will not come.
//!
//! A probe (`server::workers::spawn_breaker_probe`) asks the database every second on its own
//! connection, so a busy pool never looks like an outage; a request that meets a connection
//! failure opens the breaker at once. The first answered probe closes it again.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{SystemTime, UNIX_EPOCH},
};

#[derive(Debug, Default)]
struct Inner {
    open: AtomicBool,
    /// When it last opened or closed, in milliseconds since the epoch.
    changed_at_ms: AtomicU64,
    /// How many times it has opened since the process started.
    trips: AtomicU64,
}

#[derive(Clone, Debug, Default)]
pub struct Breaker(Arc<Inner>);

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Breaker {
    pub fn is_open(&self) -> bool {
        self.0.open.load(Ordering::Acquire)
    }

    /// Mark the database away; logs only the change, not every failed request.
    pub fn open(&self, why: &str) {
        if !self.0.open.swap(true, Ordering::AcqRel) {
            self.0.changed_at_ms.store(now_ms(), Ordering::Release);
            self.0.trips.fetch_add(1, Ordering::Relaxed);
            tracing::error!(
                reason = why,
                "database unavailable: answering 503 until it returns"
            );
        }
    }

    pub fn close(&self) {
        if self.0.open.swap(false, Ordering::AcqRel) {
            let away = now_ms().saturating_sub(self.0.changed_at_ms.load(Ordering::Acquire));
            self.0.changed_at_ms.store(now_ms(), Ordering::Release);
            tracing::warn!(away_ms = away, "database available again");
        }
    }

    pub fn trips(&self) -> u64 {
        self.0.trips.load(Ordering::Relaxed)
    }

    /// Open the breaker if `err` says the database cannot be reached (as opposed to a query
    /// that failed on its own); returns whether it did.
    pub fn note(&self, err: &sqlx::Error) -> bool {
        let away = is_unreachable(err);
        if away {
            self.open(&err.to_string());
        }
        away
    }
}

/// Errors that mean "no database to talk to", not "this query failed".
pub fn is_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…), shutting down or refusing connections (57P…).
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// SQLite's "the disk cannot take this" (full, read-only, I/O failure, cannot open): the write
/// is refused and nothing was changed, but reads may go on.
pub fn is_storage_failure(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(e) = err else {
        return false;
    };
    let Some(code) = e.code().and_then(|c| c.parse::<i64>().ok()) else {
        // PostgreSQL's "disk full" and "out of memory" classes.
        return e.code().is_some_and(|c| c.starts_with("53"));
    };
    // Primary result codes: SQLITE_READONLY 8, SQLITE_IOERR 10, SQLITE_FULL 13, SQLITE_CANTOPEN 14.
    matches!(code & 0xff, 8 | 10 | 13 | 14)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_opens_once_and_counts_trips() {
        let b = Breaker::default();
        assert!(!b.is_open());
        b.open("test");
        b.open("again");
        assert!(b.is_open());
        assert_eq!(b.trips(), 1);
        b.close();
        assert!(!b.is_open());
        b.open("later");
        assert_eq!(b.trips(), 2);
    }

    #[test]
    fn only_connection_failures_open_it() {
        let b = Breaker::default();
        assert!(!b.note(&sqlx::Error::RowNotFound));
        assert!(!b.is_open());
        assert!(b.note(&sqlx::Error::PoolTimedOut));
        assert!(b.is_open());
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(is_unreachable(&io));
    }

    #[tokio::test]
    async fn a_full_or_read_only_sqlite_file_is_a_storage_failure() {
        let t = crate::ssr::testing::TestDb::sqlite().await;
        let ro = crate::ssr::db::Db::connect(&format!("{}?mode=ro", t.url))
            .await
            .unwrap();
        let err = sqlx::query(
            "INSERT INTO practices (name, time_zone, created_at) VALUES ('x', 'UTC', 0)",
        )
        .execute(ro.write())
        .await
        .unwrap_err();
        assert!(is_storage_failure(&err), "{err:?}");
        assert!(!is_unreachable(&err));
        let constraint = sqlx::query("INSERT INTO practices (name) VALUES (NULL)")
            .execute(t.db.write())
            .await
            .unwrap_err();
        assert!(!is_storage_failure(&constraint));
        ro.close().await;
    }
}
