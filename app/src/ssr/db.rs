//! One data layer for SQLite and PostgreSQL.
//!
//! Everything above this module uses `sqlx::Any` with portable SQL and `$N` placeholders, so
//! there is a single code path. The differences live here: SQLite gets WAL, full fsync,
//! foreign keys, a busy timeout, one in-process writer and `BEGIN IMMEDIATE`; each backend gets
//! its own migration directory because their DDL differs (identity columns, comments).
//!
//! Contract for writers: PostgreSQL runs at READ COMMITTED, so a transaction that reads a row
//! and then writes it must make the write conditional (`UPDATE … WHERE state = $expected`) or
//! atomic (`SET n = n + 1`). That rule also keeps SQLite correct across several processes.

use std::{str::FromStr, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::{MigrateError, Migrator},
    Any, AnyConnection, AnyPool, Connection, Executor, Transaction,
};

use super::{audit_queue::AuditQueue, breaker::Breaker};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// For the probe's own connection, outside the pools.
    options: AnyConnectOptions,
    breaker: Breaker,
    audit: AuditQueue,
}

/// Run on every new SQLite connection. `journal_mode` persists in the file; the others are
/// per connection.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000;";

impl Db {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)
            .ok_or_else(|| sqlx::Error::Configuration("unsupported DATABASE_URL scheme".into()))?;
        match backend {
            Backend::Sqlite => {
                let options = AnyConnectOptions::from_str(&sqlite_create_url(url))?;
                // SQLite allows one writer at a time. A single-connection write pool queues
                // writers in process instead of spinning on the file lock.
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                let read = sqlite_pool(4).connect_with(options.clone()).await?;
                Ok(Db {
                    read,
                    write,
                    backend,
                    options,
                    breaker: Breaker::default(),
                    audit: AuditQueue::default(),
                })
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                let pool = without_reaper(AnyPoolOptions::new())
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options.clone())
                    .await?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    options,
                    breaker: Breaker::default(),
                    audit: AuditQueue::default(),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// For queries that only read.
    pub fn read(&self) -> &AnyPool {
        &self.read
    }

    /// For single-statement writes outside a transaction.
    pub fn write(&self) -> &AnyPool {
        &self.write
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so
    /// a transaction that reads and then writes cannot fail half-way on a stale snapshot.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.begin().await,
        }
    }

    pub async fn migrate(&self) -> Result<(), MigrateError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.write).await
    }

    /// Whether the database answers, within a short deadline.
    pub async fn ping(&self) -> bool {
        let probe = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&self.read);
        matches!(
            tokio::time::timeout(Duration::from_millis(1500), probe).await,
            Ok(Ok(1))
        )
    }

    /// Audit entries written in group commits (see `audit_queue`).
    pub fn audit_queue(&self) -> &AuditQueue {
        &self.audit
    }

    /// Whether the database is known to be away (see `breaker`).
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    /// One probe for the breaker on `conn`, the probe's own connection, opened here when
    /// missing and dropped when it fails. It reads a table, so an unreadable SQLite file
    /// counts as away.
    pub async fn probe(&self, conn: &mut Option<AnyConnection>, deadline: Duration) -> bool {
        let attempt = async {
            if conn.is_none() {
                *conn = Some(AnyConnection::connect_with(&self.options).await?);
            }
            let Some(c) = conn.as_mut() else {
                return Err(sqlx::Error::PoolClosed);
            };
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
                .fetch_one(c)
                .await
        };
        let answered = matches!(tokio::time::timeout(deadline, attempt).await, Ok(Ok(_)));
        if answered {
            self.breaker.close();
        } else {
            *conn = None;
            self.breaker.open("the database did not answer its probe");
        }
        answered
    }

    /// Connections checked out of the pools, and idle ones, for `/metrics`.
    pub fn pool_sizes(&self) -> (u32, u32) {
        let mut busy = 0;
        let mut idle = 0;
        let pools: &[&AnyPool] = match self.backend {
            Backend::Sqlite => &[&self.read, &self.write],
            Backend::Postgres => &[&self.read],
        };
        for p in pools {
            let i = u32::try_from(p.num_idle()).unwrap_or(u32::MAX);
            idle += i;
            busy += p.size().saturating_sub(i);
        }
        (busy, idle)
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// No idle or lifetime reaping. sqlx 0.8's reaper can read a wrapped-around idle count when a
/// connection is returned at the same moment it sweeps (sqlx issue 3645), and then spins on
/// a runtime thread for ever; its first sweep runs as the pool opens, exactly when the startup
/// check returns its connection. A CI run hung that way. Idle connections cost nothing here:
/// SQLite's are file handles and PostgreSQL's are at most 16, checked before each use.
fn without_reaper(options: AnyPoolOptions) -> AnyPoolOptions {
    options
        .idle_timeout(None)
        .max_lifetime(None)
        .min_connections(0)
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    without_reaper(AnyPoolOptions::new())
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// Create the SQLite file on first start unless the URL chose a mode itself.
fn sqlite_create_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_by_scheme() {
        assert_eq!(Backend::of_url("sqlite:x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://h/d"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("postgresql://h/d"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://h/d"), None);
    }

    #[test]
    fn sqlite_files_are_created() {
        assert_eq!(sqlite_create_url("sqlite:a.db"), "sqlite:a.db?mode=rwc");
        assert_eq!(
            sqlite_create_url("sqlite:a.db?x=1"),
            "sqlite:a.db?x=1&mode=rwc"
        );
        assert_eq!(
            sqlite_create_url("sqlite:a.db?mode=ro"),
            "sqlite:a.db?mode=ro"
        );
    }

    use crate::ssr::testing::TestDb;

    crate::db_test!(pools_never_reap, |t: TestDb| async move {
        for pool in [t.db.read(), t.db.write()] {
            assert_eq!(pool.options().get_idle_timeout(), None);
            assert_eq!(pool.options().get_max_lifetime(), None);
            assert_eq!(pool.options().get_min_connections(), 0);
        }
    });

    async fn columns(db: &Db) -> Vec<(String, String)> {
        let sql = match db.backend() {
            Backend::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
            }
            Backend::Postgres => {
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
            }
        };
        let mut cols: Vec<(String, String)> =
            sqlx::query_as(sql).fetch_all(db.read()).await.unwrap();
        cols.sort();
        cols
    }

    #[tokio::test]
    async fn both_backends_have_the_same_tables_and_columns() {
        let lite = TestDb::sqlite().await;
        let Some(pg) = TestDb::postgres().await else {
            return;
        };
        let (a, b) = (columns(&lite.db).await, columns(&pg.db).await);
        assert!(a.len() > 30, "schema read: {a:?}");
        assert_eq!(a, b);
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/");
        assert_eq!(
            names(&format!("{root}sqlite")),
            names(&format!("{root}postgres"))
        );
    }

    crate::db_test!(audit_log_is_append_only, |t: TestDb| async move {
        let mut conn = t.db.write().acquire().await.unwrap();
        crate::ssr::audit::record(
            &mut conn,
            1,
            crate::ssr::audit::Entry {
                actor: crate::ssr::audit::Actor::System,
                action: "test",
                chart_id: None,
                client: None,
                detail: "",
            },
        )
        .await
        .unwrap();
        let update = sqlx::query("UPDATE audit_log SET action = 'tampered'")
            .execute(&mut *conn)
            .await;
        assert!(update.is_err(), "update must be refused");
        let delete = sqlx::query("DELETE FROM audit_log")
            .execute(&mut *conn)
            .await;
        assert!(delete.is_err(), "delete must be refused");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'test'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(n, 1);
    });

    crate::db_test!(
        sqlite_runs_with_wal_and_foreign_keys,
        |t: TestDb| async move {
            if t.backend() != Backend::Sqlite {
                return;
            }
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(t.db.read())
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(t.db.write())
                .await
                .unwrap();
            assert_eq!(fk, 1);
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(t.db.write())
                .await
                .unwrap();
            assert_eq!(sync, 2, "FULL");
        }
    );

    crate::db_test!(foreign_keys_are_enforced, |t: TestDb| async move {
        let orphan = sqlx::query(
            "INSERT INTO providers (practice_id, display_name, created_at) VALUES (999, 'Nobody', 0)",
        )
        .execute(t.db.write())
        .await;
        assert!(orphan.is_err());
    });

    async fn concurrent_increments(db: &Db, read_then_write: bool) -> i64 {
        sqlx::query("INSERT INTO practices (name, time_zone, created_at) VALUES ('P', 'UTC', 0)")
            .execute(db.write())
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                if read_then_write {
                    let n: i64 =
                        sqlx::query_scalar("SELECT created_at FROM practices WHERE name = 'P'")
                            .fetch_one(&mut *tx)
                            .await
                            .unwrap();
                    sqlx::query("UPDATE practices SET created_at = $1 WHERE name = 'P'")
                        .bind(n + 1)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                } else {
                    sqlx::query(
                        "UPDATE practices SET created_at = created_at + 1 WHERE name = 'P'",
                    )
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
                tx.commit().await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        sqlx::query_scalar("SELECT created_at FROM practices WHERE name = 'P'")
            .fetch_one(db.read())
            .await
            .unwrap()
    }

    // The portable contract: concurrent write transactions all commit, and conditional or
    // atomic updates lose nothing.
    crate::db_test!(
        concurrent_write_transactions_all_commit,
        |t: TestDb| async move {
            assert_eq!(concurrent_increments(&t.db, false).await, 20);
        }
    );

    // SQLite also serialises whole write transactions (BEGIN IMMEDIATE): a read followed by a
    // write never fails on a stale snapshot, and loses nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_write_transactions_are_serial() {
        let t = TestDb::sqlite().await;
        assert_eq!(concurrent_increments(&t.db, true).await, 20);
    }
}
