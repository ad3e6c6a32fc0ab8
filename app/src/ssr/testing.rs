//! Test support: a fresh, migrated database on SQLite or PostgreSQL for each test.
//!
//! PostgreSQL comes from `PORTICO_TEST_POSTGRES_URL` (default: the local server, trust auth).
//! If it cannot be reached, PostgreSQL tests are skipped with a notice, except under CI
//! (`CI` set), where that is a failure.

use super::{
    db::{Backend, Db},
    token,
};

pub const DEFAULT_POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

fn postgres_admin_url() -> String {
    std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN_URL.to_string())
}

impl TestDb {
    /// A fresh database on `backend`, or `None` when PostgreSQL is unavailable outside CI.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("portico-test-{}.db", token::random_hex(8)));
        let url = format!("sqlite:{}", path.display());
        #[allow(clippy::expect_used)]
        let db = Db::connect(&url).await.expect("open test SQLite database");
        #[allow(clippy::expect_used)]
        db.migrate().await.expect("migrate test SQLite database");
        TestDb {
            db,
            url,
            cleanup: Cleanup::File(path),
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        use sqlx::{Connection, Executor};
        sqlx::any::install_default_drivers();
        let admin_url = postgres_admin_url();
        let mut admin = match sqlx::AnyConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                if std::env::var_os("CI").is_some() {
                    panic!("PostgreSQL is required under CI but unreachable at {admin_url}: {e}");
                }
                eprintln!("notice: PostgreSQL unreachable at {admin_url} ({e}); skipping this PostgreSQL test");
                return None;
            }
        };
        let name = format!("portico_t_{}", token::random_hex(8));
        #[allow(clippy::expect_used)]
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = match admin_url.rfind('/') {
            Some(i) if admin_url[..i].ends_with(|c: char| c != '/') => {
                format!("{}/{name}", &admin_url[..i])
            }
            _ => format!("{admin_url}/{name}"),
        };
        #[allow(clippy::expect_used)]
        let db = Db::connect(&url)
            .await
            .expect("open test PostgreSQL database");
        #[allow(clippy::expect_used)]
        db.migrate()
            .await
            .expect("migrate test PostgreSQL database");
        Some(TestDb {
            db,
            url,
            cleanup: Cleanup::Database { admin_url, name },
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { admin_url, name } => {
                // Drop runs inside the test's runtime, which cannot be blocked on; use a
                // short-lived one on another thread.
                let admin_url = admin_url.clone();
                let name = name.clone();
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        use sqlx::{Connection, Executor};
                        if let Ok(mut c) = sqlx::AnyConnection::connect(&admin_url).await {
                            let _ = c
                                .execute(
                                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                                )
                                .await;
                            let _ = c.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Run one async test body against SQLite and against PostgreSQL.
///
/// ```ignore
/// db_test!(sessions_round_trip, |t: TestDb| async move { ... });
/// ```
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::ssr::testing::TestDb::new($crate::ssr::db::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                ($body)(t).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) =
                    $crate::ssr::testing::TestDb::new($crate::ssr::db::Backend::Postgres).await
                {
                    ($body)(t).await;
                }
            }
        }
    };
}
