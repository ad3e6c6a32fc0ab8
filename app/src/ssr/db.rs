//! One data layer for SQLite and PostgreSQL.
//!
//! Everything above this module uses `sqlx::Any` with portable SQL and `$N` placeholders, so
//! there is a single code path. The differences live here: SQLite gets WAL, full fsync,
//! foreign keys, a busy timeout, one in-process writer and `BEGIN IMMEDIATE`; each backend gets
//! its own migration directory because their DDL differs (identity columns, comments).

use std::{str::FromStr, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::{MigrateError, Migrator},
    Any, AnyPool, Executor, Transaction,
};

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
                let read = sqlite_pool(4).connect_with(options).await?;
                Ok(Db {
                    read,
                    write,
                    backend,
                })
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
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
            tokio::time::timeout(Duration::from_secs(2), probe).await,
            Ok(Ok(1))
        )
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
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
}
