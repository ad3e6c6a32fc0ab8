//! Reminders 24 hours before a confirmed appointment, queued exactly once: the outbox's unique
//! dedupe key, not the worker's memory, guarantees it, so restarts and two servers are safe.

use super::{
    notify::{self, Notice},
    store,
};
use crate::ssr::db::Db;

pub const LEAD_SECS: i64 = 24 * 3600;

/// Queue reminders for confirmed appointments starting within the next 24 hours. Returns how
/// many were newly queued.
pub async fn queue_due(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let sql = format!(
        "{} WHERE a.state = 'confirmed' AND a.starts_at > $1 AND a.starts_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = {})",
        store::SELECT,
        // Concatenation differs by database only in syntax both accept: ||.
        "'reminder:' || CAST(a.id AS TEXT) || ':' || CAST(a.starts_at AS TEXT)"
    );
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(now + LEAD_SECS)
        .fetch_all(db.read())
        .await?;
    let mut queued = 0;
    for r in &rows {
        let a = store::from_row(r)?;
        let key = format!("reminder:{}:{}", a.id, a.starts_at);
        let mut tx = db.begin().await?;
        if notify::queue(&mut tx, now, Notice::Reminder, &a, a.starts_at, Some(&key)).await? {
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::{demo, password::Hasher, testing::TestDb};

    crate::db_test!(
        reminders_are_queued_once_for_the_next_day,
        |t: TestDb| async move {
            let now = 1_800_000_000;
            demo::seed_if_empty(&t.db, &Hasher::new().unwrap(), now)
                .await
                .unwrap();
            let due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM appointments WHERE state = 'confirmed' AND starts_at > $1 AND starts_at <= $2",
        )
        .bind(now)
        .bind(now + LEAD_SECS)
        .fetch_one(t.db.read())
        .await
        .unwrap();
            assert_eq!(due, 1, "the demo has one confirmed visit inside 24 hours");
            let first = queue_due(&t.db, now).await.unwrap();
            assert_eq!(first as i64, due);
            assert_eq!(queue_due(&t.db, now).await.unwrap(), 0);
            assert_eq!(queue_due(&t.db, now + 600).await.unwrap(), 0);
            let sent: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Reminder%'")
                    .fetch_one(t.db.read())
                    .await
                    .unwrap();
            assert_eq!(sent, due);
            // Six hours on, the one 30 hours out is inside the lead time too, and only it is new.
            assert_eq!(queue_due(&t.db, now + 6 * 3600 + 1800).await.unwrap(), 1);
        }
    );
}
