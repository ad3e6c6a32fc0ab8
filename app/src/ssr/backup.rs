//! Backups of a SQLite database while the portal serves, restoring one, and the lock that
//! tells a restore a server is still using the file.
//!
//! `VACUUM INTO` copies the database as one read transaction sees it, so the copy holds every
//! write committed before it began and none half-done, while writers go on (WAL). PostgreSQL
//! has its own tools (`pg_dump`, `pg_restore`); the README gives the commands.

use std::{
    fs::{File, OpenOptions},
    path::{Path, PathBuf},
};

use super::db::{Backend, Db};

/// The database file a `sqlite:` URL names; `None` for PostgreSQL or an in-memory database.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

fn lock_path(db_file: &Path) -> PathBuf {
    let mut name = db_file.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Held by every server process for as long as it serves a SQLite file: shared, so several
/// instances may use one file, and a restore, which needs it exclusively, is refused.
#[derive(Debug)]
pub struct ServerLock(#[allow(dead_code)] File);

impl ServerLock {
    /// Take the shared lock for `url`; `Ok(None)` when the database is not a SQLite file.
    pub fn shared(url: &str) -> Result<Option<ServerLock>, String> {
        let Some(file) = sqlite_file(url) else {
            return Ok(None);
        };
        let f = open_lock(&file)?;
        f.try_lock_shared().map_err(|_| {
            format!(
                "{} is being restored; start the server again when that has finished",
                file.display()
            )
        })?;
        Ok(Some(ServerLock(f)))
    }

    fn exclusive(file: &Path) -> Result<ServerLock, String> {
        let f = open_lock(file)?;
        f.try_lock().map_err(|_| {
            format!(
                "a Portico server is using {}; stop it before restoring",
                file.display()
            )
        })?;
        Ok(ServerLock(f))
    }
}

fn open_lock(db_file: &Path) -> Result<File, String> {
    let path = lock_path(db_file);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// What a backup or restore did, for the operator.
#[derive(Debug, PartialEq, Eq)]
pub struct Copied {
    pub bytes: u64,
}

/// Copy the open database to `to`, which must not exist yet, and check the copy.
pub async fn backup(db: &Db, to: &Path) -> Result<Copied, String> {
    if db.backend() != Backend::Sqlite {
        return Err(
            "portico backup copies SQLite databases; for PostgreSQL use pg_dump \
             (see the README's section on backups)"
                .into(),
        );
    }
    if to.exists() {
        return Err(format!(
            "{} already exists; choose a new file",
            to.display()
        ));
    }
    let target = to
        .to_str()
        .ok_or_else(|| format!("{} is not a usable file name", to.display()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(db.read())
        .await
        .map_err(|e| format!("the backup failed: {e}"))?;
    check(to).await?;
    let bytes = std::fs::metadata(to).map_err(|e| e.to_string())?.len();
    Ok(Copied { bytes })
}

/// Open `file` read-only and check that it is a whole Portico database.
async fn check(file: &Path) -> Result<(), String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    if !file.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    let url = format!("sqlite:{}?mode=ro", file.display());
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .map_err(|e| format!("{} cannot be opened as a database: {e}", file.display()))?;
    let result = async {
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| format!("{} is not a database", file.display()))?;
        if ok != "ok" {
            return Err(format!("{} is damaged: {ok}", file.display()));
        }
        let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| format!("{} is not a Portico database", file.display()))?;
        if migrations == 0 {
            return Err(format!("{} is not a Portico database", file.display()));
        }
        Ok(())
    }
    .await;
    let _ = conn.close().await;
    result
}

/// Put the backup `from` in place of the database `url` names, keeping the database it
/// replaces beside it as `<file>.before-restore`. Refused while a server uses the file.
pub async fn restore(url: &str, from: &Path) -> Result<Copied, String> {
    let Some(file) = sqlite_file(url) else {
        return Err(
            "portico restore puts back SQLite backups; for PostgreSQL use pg_restore \
             (see the README's section on backups)"
                .into(),
        );
    };
    let _lock = ServerLock::exclusive(&file)?;
    check(from).await?;
    let mut staging = file.clone().into_os_string();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    std::fs::copy(from, &staging).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    File::open(&staging)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", staging.display()))?;
    if file.exists() {
        let mut kept = file.clone().into_os_string();
        kept.push(".before-restore");
        std::fs::rename(&file, &kept).map_err(|e| format!("cannot set the old file aside: {e}"))?;
    }
    // The old file's write-ahead log belongs to it, not to the restored copy.
    for suffix in ["-wal", "-shm"] {
        let mut side = file.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&staging, &file).map_err(|e| format!("cannot put the backup in place: {e}"))?;
    let bytes = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    Ok(Copied { bytes })
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    };

    use super::*;
    use crate::ssr::token;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite:portico.db"), Some("portico.db".into()));
        assert_eq!(
            sqlite_file("sqlite:///var/lib/p.db?mode=rwc"),
            Some("/var/lib/p.db".into())
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/d"), None);
    }

    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("portico-{name}-{}", token::random_hex(6)))
    }

    fn remove(file: &Path) {
        for suffix in ["", "-wal", "-shm", ".lock", ".before-restore", ".restoring"] {
            let mut p = file.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }

    async fn names(db: &Db) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM practices ORDER BY name")
            .fetch_all(db.read())
            .await
            .unwrap_or_default()
    }

    // The backup is taken while a writer keeps committing; every write acknowledged before the
    // backup began is in it, and in the database the restore puts back.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_under_write_load_restores_every_acknowledged_write() {
        let live = scratch("live.db");
        let url = format!("sqlite:{}", live.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (db, acknowledged, stop) = (db.clone(), acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let name = format!("p{n:06}");
                    sqlx::query(
                        "INSERT INTO practices (name, time_zone, created_at) VALUES ($1, 'UTC', 0)",
                    )
                    .bind(&name)
                    .execute(db.write())
                    .await
                    .unwrap();
                    acknowledged.lock().unwrap().push(name);
                }
            })
        };
        while acknowledged.lock().unwrap().len() < 200 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let before: Vec<String> = acknowledged.lock().unwrap().clone();
        let copy = scratch("copy.db");
        let made = backup(&db, &copy).await.unwrap();
        assert!(made.bytes > 0);
        while acknowledged.lock().unwrap().len() < before.len() + 50 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        stop.store(true, Ordering::Relaxed);
        writer.await.unwrap();
        let after = acknowledged.lock().unwrap().len();
        db.close().await;

        let target = scratch("restored.db");
        let restored_url = format!("sqlite:{}", target.display());
        restore(&restored_url, &copy).await.unwrap();
        let restored = Db::connect(&restored_url).await.unwrap();
        let got = names(&restored).await;
        restored.close().await;
        for name in &before {
            assert!(
                got.contains(name),
                "{name} was acknowledged before the backup"
            );
        }
        // The writer went on during the backup; the copy is one moment, not the end.
        assert!(got.len() < after, "{} of {after}", got.len());
        for f in [&live, &copy, &target] {
            remove(f);
        }
    }

    #[tokio::test]
    async fn a_restore_is_refused_while_a_server_holds_the_file() {
        let live = scratch("held.db");
        let url = format!("sqlite:{}", live.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let copy = scratch("held-copy.db");
        backup(&db, &copy).await.unwrap();
        let lock = ServerLock::shared(&url).unwrap();
        assert!(lock.is_some());
        let refused = restore(&url, &copy).await.unwrap_err();
        assert!(refused.contains("stop it before restoring"), "{refused}");
        drop(lock);
        db.close().await;
        restore(&url, &copy).await.unwrap();
        for f in [&live, &copy] {
            remove(f);
        }
    }

    #[tokio::test]
    async fn a_backup_never_overwrites_and_a_restore_takes_only_portico_databases() {
        let live = scratch("a.db");
        let db = Db::connect(&format!("sqlite:{}", live.display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let taken = scratch("taken");
        std::fs::write(&taken, b"keep me").unwrap();
        assert!(backup(&db, &taken)
            .await
            .unwrap_err()
            .contains("already exists"));
        assert_eq!(std::fs::read(&taken).unwrap(), b"keep me");
        let target = scratch("b.db");
        let refused = restore(&format!("sqlite:{}", target.display()), &taken)
            .await
            .unwrap_err();
        assert!(refused.contains("not a"), "{refused}");
        assert!(!target.exists());
        db.close().await;
        for f in [&live, &taken, &target] {
            remove(f);
        }
    }

    #[tokio::test]
    async fn postgres_is_pointed_at_its_own_tools() {
        let refused = restore("postgres://h/d", Path::new("x")).await.unwrap_err();
        assert!(refused.contains("pg_restore"));
    }
}
