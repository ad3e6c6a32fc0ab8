//! Group commit for audit entries that are a request's only write (reads of patient data).
//!
//! Every page that shows patient data writes an audit row before it answers. Written one by
//! one, each row is its own transaction and its own fsync, taken in turn on SQLite's single
//! writer, so the audit log set the pace of every signed-in page. Here the rows that arrive
//! while one commit is in progress are written together in the next: each request still waits
//! until its own row is durable, but many requests share one commit.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, OnceLock,
};

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{
    audit::{record, Actor, Entry},
    db::Backend,
};

/// Rows per commit at most; a burst larger than this takes several commits.
const BATCH: usize = 256;

/// An audit entry owned by the queue until it is written.
struct Job {
    now: i64,
    actor: Actor,
    action: String,
    chart_id: Option<i64>,
    client: Option<String>,
    detail: String,
    done: oneshot::Sender<Result<(), sqlx::Error>>,
}

impl Job {
    fn entry(&self) -> Entry<'_> {
        Entry {
            actor: self.actor,
            action: &self.action,
            chart_id: self.chart_id,
            client: self.client.as_deref(),
            detail: &self.detail,
        }
    }
}

/// Shared by every clone of a `Db`; the writer task starts with the first entry.
#[derive(Clone, Debug, Default)]
pub struct AuditQueue(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    tx: OnceLock<mpsc::UnboundedSender<Job>>,
    /// Group commits made, for `/metrics` (beside the rows, it shows how much they share).
    commits: Arc<AtomicU64>,
}

impl AuditQueue {
    /// Write `e` in the next group commit and wait until it is durable. The writer holds the
    /// pool, not the queue, so it ends when the last `Db` sharing this queue is gone.
    pub async fn write(
        &self,
        pool: &AnyPool,
        backend: Backend,
        now: i64,
        e: Entry<'_>,
    ) -> Result<(), sqlx::Error> {
        let tx = self.0.tx.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(pool.clone(), backend, rx, self.0.commits.clone()));
            tx
        });
        let (done, result) = oneshot::channel();
        let job = Job {
            now,
            actor: e.actor,
            action: e.action.to_string(),
            chart_id: e.chart_id,
            client: e.client.map(str::to_string),
            detail: e.detail.to_string(),
            done,
        };
        if let Err(mpsc::error::SendError(job)) = tx.send(job) {
            // The writer is gone (its runtime ended): write this one directly.
            return alone(pool, &job).await;
        }
        result.await.unwrap_or(Err(sqlx::Error::PoolClosed))
    }

    /// Group commits made so far.
    pub fn commits(&self) -> u64 {
        self.0.commits.load(Ordering::Relaxed)
    }
}

async fn writer(
    pool: AnyPool,
    backend: Backend,
    mut rx: mpsc::UnboundedReceiver<Job>,
    commits: Arc<AtomicU64>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        match together(&pool, backend, &batch).await {
            Ok(()) => {
                commits.fetch_add(1, Ordering::Relaxed);
                for job in batch.drain(..) {
                    let _ = job.done.send(Ok(()));
                }
            }
            // Each caller gets its own answer, and one bad entry cannot lose the others.
            Err(_) => {
                for job in batch.drain(..) {
                    let result = alone(&pool, &job).await;
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

async fn together(pool: &AnyPool, backend: Backend, jobs: &[Job]) -> Result<(), sqlx::Error> {
    let mut tx: Transaction<'static, Any> = match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => pool.begin().await?,
    };
    for job in jobs {
        record(&mut tx, job.now, job.entry()).await?;
    }
    tx.commit().await
}

async fn alone(pool: &AnyPool, job: &Job) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    record(&mut conn, job.now, job.entry()).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::ssr::{audit::record_alone, db::Db, testing::TestDb};

    fn entry(detail: &str) -> Entry<'_> {
        Entry {
            actor: Actor::Patient(1),
            action: "appointment.list",
            chart_id: Some(7),
            client: Some("hash"),
            detail,
        }
    }

    /// Another writer's hold on the audit table, until it is dropped.
    async fn hold_writes(db: &Db) -> Box<dyn std::any::Any + Send> {
        match db.backend() {
            Backend::Sqlite => Box::new(db.write().acquire().await.unwrap()),
            Backend::Postgres => {
                let mut tx = db.begin().await.unwrap();
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                Box::new(tx)
            }
        }
    }

    async fn details(db: &Db) -> Vec<String> {
        let mut rows: Vec<String> =
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'appointment.list'")
                .fetch_all(db.read())
                .await
                .unwrap();
        rows.sort();
        rows
    }

    crate::db_test!(
        entries_waiting_together_share_a_commit,
        |t: TestDb| async move {
            let db = t.db.clone();
            record_alone(&db, 1, entry("first")).await.unwrap();
            assert_eq!(db.audit_queue().commits(), 1);
            // With the audit table locked by another writer (SQLite's one write connection, a
            // table lock on PostgreSQL), fifty page views arrive; they wait together.
            let held = hold_writes(&db).await;
            let views: Vec<_> = (0..50)
                .map(|i| {
                    let db = db.clone();
                    tokio::spawn(async move {
                        let detail = format!("view {i:02}");
                        record_alone(&db, 2, entry(&detail)).await
                    })
                })
                .collect();
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            assert_eq!(
                details(&db).await.len(),
                1,
                "nothing is written while the writer is held"
            );
            drop(held);
            for v in views {
                v.await.unwrap().unwrap();
            }
            let stored = details(&db).await;
            assert_eq!(stored.len(), 51);
            assert!(stored.contains(&"view 49".to_string()));
            // The first view may be taken alone before the others arrive; the rest share one.
            assert!(
                db.audit_queue().commits() <= 3,
                "{} commits",
                db.audit_queue().commits()
            );
        }
    );

    crate::db_test!(
        an_entry_the_database_refuses_loses_no_other,
        |t: TestDb| async move {
            let db = t.db.clone();
            let held = hold_writes(&db).await;
            // PostgreSQL refuses a NUL character in text; SQLite stores it.
            let bad = tokio::spawn({
                let db = db.clone();
                async move { record_alone(&db, 3, entry("bad \0 detail")).await }
            });
            let good: Vec<_> = (0..5)
                .map(|i| {
                    let db = db.clone();
                    tokio::spawn(
                        async move { record_alone(&db, 3, entry(&format!("good {i}"))).await },
                    )
                })
                .collect();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            drop(held);
            let bad = bad.await.unwrap();
            for g in good {
                g.await.unwrap().unwrap();
            }
            let stored = details(&db).await;
            let goods = stored.iter().filter(|d| d.starts_with("good")).count();
            assert_eq!(goods, 5, "{stored:?}");
            match db.backend() {
                Backend::Postgres => assert!(bad.is_err()),
                Backend::Sqlite => assert!(bad.is_ok()),
            }
        }
    );
}
