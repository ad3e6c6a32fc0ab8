//! The transactional outbox: messages are written in the same transaction as the change that
//! causes them, so a rolled-back change sends nothing and a committed one cannot lose its
//! message. A background worker delivers them (see `server::workers`).

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
    Voice,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
        }
    }
}

/// A message to queue.
pub struct Message<'a> {
    pub channel: Channel,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Messages with the same key are queued once (reminders).
    pub dedupe_key: Option<&'a str>,
}

/// Queue a message inside the caller's transaction. Returns whether it was queued (false for
/// a duplicate key).
pub async fn enqueue(
    conn: &mut AnyConnection,
    now: i64,
    m: Message<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO outbox (channel, recipient, subject, body, dedupe_key, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(m.channel.as_str())
    .bind(m.to)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.dedupe_key)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Queue an email with one HTML attachment, inside the caller's transaction.
pub async fn enqueue_attached(
    conn: &mut AnyConnection,
    now: i64,
    m: Message<'_>,
    name: &str,
    attachment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (channel, recipient, subject, body, dedupe_key, status, attempts, \
         next_attempt_at, created_at, attachment_name, attachment) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $7, $8)",
    )
    .bind(m.channel.as_str())
    .bind(m.to)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.dedupe_key)
    .bind(now)
    .bind(name)
    .bind(attachment)
    .execute(conn)
    .await?;
    Ok(())
}

/// One outbox row as `/dev/outbox.json` lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub channel: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub status: String,
    #[serde(skip)]
    pub attempts: i64,
    /// The attachment's file name; empty when there is none.
    pub attachment_name: String,
    pub attachment: String,
}

fn stored(r: &sqlx::any::AnyRow) -> Result<Stored, sqlx::Error> {
    Ok(Stored {
        id: r.try_get(0)?,
        channel: r.try_get(1)?,
        to: r.try_get(2)?,
        subject: r.try_get(3)?,
        body: r.try_get(4)?,
        created_at: r.try_get(5)?,
        status: r.try_get(6)?,
        attempts: r.try_get(7)?,
        attachment_name: r.try_get(8)?,
        attachment: r.try_get(9)?,
    })
}

const COLUMNS: &str =
    "id, channel, recipient, subject, body, created_at, status, attempts, attachment_name, attachment";

/// The newest messages first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Stored>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.read())
    .await?;
    rows.iter().map(stored).collect()
}

/// Messages due for a delivery attempt, oldest first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<Stored>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db.write())
    .await?;
    rows.iter().map(stored).collect()
}

/// The wait before the next attempt after `attempts` failures: 30 s doubling, capped at an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let doubling = attempts.clamp(1, 8) - 1;
    (30_i64 << doubling).min(3600)
}

/// After this many failed attempts a message is marked failed and left for an operator.
pub const MAX_ATTEMPTS: i64 = 20;

/// Record a delivery. Only a pending message changes, so two workers cannot both claim it.
/// A message really sent loses its body: invitation and reset links must not outlive their
/// delivery in the database. (Development keeps bodies: `/dev/outbox` shows them.)
pub async fn mark_delivered(db: &Db, id: i64, status: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = $1, sent_at = $2, attempts = attempts + 1, \
         body = CASE WHEN $1 = 'sent' THEN '' ELSE body END \
         WHERE id = $3 AND status = 'pending'",
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(db.write())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record a failed attempt and schedule the next one; the message is never dropped.
pub async fn mark_failed_attempt(
    db: &Db,
    m: &Stored,
    error: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let attempts = m.attempts + 1;
    let status = if attempts >= MAX_ATTEMPTS {
        "failed"
    } else {
        "pending"
    };
    let short: String = error.chars().take(300).collect();
    sqlx::query(
        "UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, status = $4 WHERE id = $5 AND status = 'pending'",
    )
    .bind(attempts)
    .bind(now + backoff_secs(attempts))
    .bind(short)
    .bind(status)
    .bind(m.id)
    .execute(db.write())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::testing::TestDb;

    #[test]
    fn backoff_doubles_from_thirty_seconds_to_an_hour() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(3), 120);
        assert_eq!(backoff_secs(7), 1920);
        assert_eq!(backoff_secs(8), 3600);
        assert_eq!(backoff_secs(50), 3600);
    }

    crate::db_test!(a_dedupe_key_queues_once, |t: TestDb| async move {
        let mut conn = t.db.write().acquire().await.unwrap();
        let m = || Message {
            channel: Channel::Email,
            to: "a@example.com",
            subject: "Reminder",
            body: "Tomorrow",
            dedupe_key: Some("reminder:1:100"),
        };
        assert!(enqueue(&mut conn, 5, m()).await.unwrap());
        assert!(!enqueue(&mut conn, 6, m()).await.unwrap());
        let plain = Message {
            dedupe_key: None,
            ..m()
        };
        assert!(enqueue(&mut conn, 7, plain).await.unwrap());
        assert!(enqueue(
            &mut conn,
            7,
            Message {
                dedupe_key: None,
                ..m()
            }
        )
        .await
        .unwrap());
        drop(conn);
        assert_eq!(recent(&t.db, 10).await.unwrap().len(), 3);
    });

    crate::db_test!(
        failed_attempts_back_off_and_delivery_happens_once,
        |t: TestDb| async move {
            let mut conn = t.db.write().acquire().await.unwrap();
            enqueue(
                &mut conn,
                100,
                Message {
                    channel: Channel::Email,
                    to: "a@example.com",
                    subject: "S",
                    body: "B",
                    dedupe_key: None,
                },
            )
            .await
            .unwrap();
            drop(conn);
            let due_now = due(&t.db, 100, 10).await.unwrap();
            assert_eq!(due_now.len(), 1);
            mark_failed_attempt(&t.db, &due_now[0], "connection refused", 100)
                .await
                .unwrap();
            assert!(due(&t.db, 129, 10).await.unwrap().is_empty(), "waits 30 s");
            let again = due(&t.db, 130, 10).await.unwrap();
            assert_eq!(again[0].attempts, 1);
            assert!(mark_delivered(&t.db, again[0].id, "sent", 130)
                .await
                .unwrap());
            assert!(!mark_delivered(&t.db, again[0].id, "sent", 131)
                .await
                .unwrap());
            assert!(due(&t.db, 10_000, 10).await.unwrap().is_empty());
        }
    );
}
