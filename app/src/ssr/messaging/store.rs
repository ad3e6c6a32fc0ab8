//! Messaging queries shared by both sides.

use chrono_tz::Tz;
use sqlx::{AnyConnection, Row};

use super::{Viewer, CLOSED};
use crate::{
    error::{AppError, AppResult},
    model::messages::{PracticeMessaging, Topic},
    ssr::{appointments::store::zone, budget, token},
};

/// A practice's messaging settings and contact details.
#[derive(Debug, Clone)]
pub struct Practice {
    pub id: i64,
    pub name: String,
    pub zone: Tz,
    pub phone: String,
    pub address: String,
    pub enabled: bool,
    pub response_time: String,
    pub care_team: bool,
}

impl Practice {
    pub fn public(&self) -> PracticeMessaging {
        PracticeMessaging {
            name: self.name.clone(),
            enabled: self.enabled,
            response_time: self.response_time.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
        }
    }
}

pub async fn practice(conn: &mut AnyConnection, id: i64) -> AppResult<Practice> {
    let r = sqlx::query(
        "SELECT id, name, time_zone, phone, address, messaging_enabled, message_response_time, \
         staff_shown_as FROM practices WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(super::not_found)?;
    let zone_name: String = r.try_get(2)?;
    let shown: String = r.try_get(7)?;
    Ok(Practice {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        zone: zone(&zone_name),
        phone: r.try_get(3)?,
        address: r.try_get(4)?,
        enabled: r.try_get::<i64, _>(5)? != 0,
        response_time: r.try_get(6)?,
        care_team: shown == "care_team",
    })
}

/// A conversation and the record it belongs to.
#[derive(Debug, Clone)]
pub struct Conv {
    pub id: i64,
    pub practice_id: i64,
    pub chart_id: i64,
    pub topic: Topic,
    pub subject: String,
    pub open: bool,
    pub closed_at: Option<i64>,
    pub closed_by_name: String,
    pub patient_name: String,
    pub patient_dob: String,
    pub last_message_id: i64,
}

impl Conv {
    /// "This conversation changed", for its open pages (`message`: the newest id concerned).
    pub fn signal(&self, message: i64) -> super::live::Signal {
        super::live::Signal::Conversation {
            conversation: self.id,
            chart: self.chart_id,
            practice: self.practice_id,
            message,
        }
    }
}

pub async fn conversation(conn: &mut AnyConnection, id: i64) -> AppResult<Option<Conv>> {
    let r = sqlx::query(
        "SELECT v.id, v.practice_id, v.chart_id, v.topic, v.subject, v.status, v.closed_at, \
         v.closed_by_name, c.given_name, c.family_name, c.date_of_birth, v.last_message_id \
         FROM conversations v JOIN patient_charts c ON c.id = v.chart_id WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let topic: String = r.try_get(3)?;
    let status: String = r.try_get(5)?;
    let given: String = r.try_get(8)?;
    let family: String = r.try_get(9)?;
    Ok(Some(Conv {
        id: r.try_get(0)?,
        practice_id: r.try_get(1)?,
        chart_id: r.try_get(2)?,
        topic: Topic::parse(&topic).unwrap_or(Topic::Other),
        subject: r.try_get(4)?,
        open: status == "open",
        closed_at: r.try_get(6)?,
        closed_by_name: r.try_get(7)?,
        patient_name: format!("{given} {family}"),
        patient_dob: r.try_get(10)?,
        last_message_id: r.try_get(11)?,
    }))
}

#[derive(Debug, Clone)]
pub struct Withdrawal {
    pub staff_name: String,
    pub reason: String,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct Msg {
    pub id: i64,
    pub author_kind: String,
    pub author_account_id: Option<i64>,
    pub author_staff_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    pub withdrawn: Option<Withdrawal>,
}

const MSG_SELECT: &str = "SELECT m.id, m.author_kind, m.author_account_id, m.author_staff_id, \
     m.author_name, m.body, m.created_at, w.staff_name, w.reason, w.withdrawn_at \
     FROM messages m LEFT JOIN message_withdrawals w ON w.message_id = m.id";

fn msg(r: &sqlx::any::AnyRow) -> Result<Msg, sqlx::Error> {
    let withdrawn_at: Option<i64> = r.try_get(9)?;
    Ok(Msg {
        id: r.try_get(0)?,
        author_kind: r.try_get(1)?,
        author_account_id: r.try_get(2)?,
        author_staff_id: r.try_get(3)?,
        author_name: r.try_get(4)?,
        body: r.try_get(5)?,
        created_at: r.try_get(6)?,
        withdrawn: match withdrawn_at {
            Some(at) => Some(Withdrawal {
                staff_name: r.try_get(7)?,
                reason: r.try_get(8)?,
                at,
            }),
            None => None,
        },
    })
}

/// The conversation's messages after id `after` (0: all), oldest first.
pub async fn messages(conn: &mut AnyConnection, conv: i64, after: i64) -> AppResult<Vec<Msg>> {
    let rows = sqlx::query(&format!(
        "{MSG_SELECT} WHERE m.conversation_id = $1 AND m.id > $2 ORDER BY m.id"
    ))
    .bind(conv)
    .bind(after)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(msg).collect::<Result<_, _>>()?)
}

/// Every withdrawn message in the conversation.
pub async fn withdrawn(conn: &mut AnyConnection, conv: i64) -> AppResult<Vec<Msg>> {
    let rows = sqlx::query(&format!(
        "{MSG_SELECT} WHERE m.conversation_id = $1 AND w.message_id IS NOT NULL ORDER BY m.id"
    ))
    .bind(conv)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(msg).collect::<Result<_, _>>()?)
}

pub async fn message(conn: &mut AnyConnection, conv: i64, id: i64) -> AppResult<Option<Msg>> {
    let r = sqlx::query(&format!(
        "{MSG_SELECT} WHERE m.conversation_id = $1 AND m.id = $2"
    ))
    .bind(conv)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(r.as_ref().map(msg).transpose()?)
}

/// Move `viewer`'s read position in `conv` forward to `up_to`. True when it moved.
pub async fn mark_read(
    conn: &mut AnyConnection,
    conv: i64,
    viewer: Viewer,
    up_to: i64,
    now: i64,
) -> AppResult<bool> {
    let (kind, id) = viewer.reader();
    let done = sqlx::query(
        "INSERT INTO message_reads (conversation_id, reader_kind, reader_id, last_read_id, read_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (conversation_id, reader_kind, reader_id) DO UPDATE SET \
           last_read_id = $4, read_at = $5 WHERE message_reads.last_read_id < $4",
    )
    .bind(conv)
    .bind(kind)
    .bind(id)
    .bind(up_to)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How far `viewer` has read in `conv` (0: nothing yet).
pub async fn read_position(conn: &mut AnyConnection, conv: i64, viewer: Viewer) -> AppResult<i64> {
    let (kind, id) = viewer.reader();
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT last_read_id FROM message_reads WHERE conversation_id = $1 AND reader_kind = $2 AND reader_id = $3",
    )
    .bind(conv)
    .bind(kind)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(n.unwrap_or(0))
}

/// The furthest any reader of `kind` ('account' or 'staff') has read in `conv`.
pub async fn read_by(conn: &mut AnyConnection, conv: i64, kind: &str) -> AppResult<i64> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(last_read_id) FROM message_reads WHERE conversation_id = $1 AND reader_kind = $2",
    )
    .bind(conv)
    .bind(kind)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n.unwrap_or(0))
}

/// Who is writing.
#[derive(Debug, Clone)]
pub enum Author {
    /// A portal account: 'patient' (their own record) or 'representative'.
    Account {
        id: i64,
        kind: &'static str,
        name: String,
    },
    Staff {
        id: i64,
        name: String,
    },
}

impl Author {
    fn ids(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Author::Account { id, .. } => (Some(*id), None),
            Author::Staff { id, .. } => (None, Some(*id)),
        }
    }

    pub fn viewer(&self) -> Viewer {
        match self {
            Author::Account { id, .. } => Viewer::Account(*id),
            Author::Staff { id, .. } => Viewer::Staff(*id),
        }
    }
}

/// What sending did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    New(i64),
    /// The same key was sent before: that message, and nothing new.
    Again(i64),
}

impl Sent {
    pub fn id(self) -> i64 {
        match self {
            Sent::New(id) | Sent::Again(id) => id,
        }
    }
}

/// Add a message to an open conversation inside `tx`. A key already used by this author in
/// this conversation returns that message instead.
pub async fn append(
    tx: &mut AnyConnection,
    conv: i64,
    author: &Author,
    body: &str,
    key: &str,
    now: i64,
) -> AppResult<Sent> {
    let (account, staff) = author.ids();
    // First the conversation row: it is the lock that orders this conversation's ids.
    let (needs_reply, staff_name, kind, name) = match author {
        Author::Account { kind, name, .. } => (1_i64, None, *kind, name.as_str()),
        Author::Staff { name, .. } => (0_i64, Some(name.as_str()), "staff", name.as_str()),
    };
    let open = sqlx::query(
        "UPDATE conversations SET last_message_at = $2, needs_reply = $3, \
         last_staff_name = COALESCE($4, last_staff_name) WHERE id = $1 AND status = 'open'",
    )
    .bind(conv)
    .bind(now)
    .bind(needs_reply)
    .bind(staff_name)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if let Some(r) = sqlx::query(
        "SELECT id, author_account_id, author_staff_id FROM messages \
         WHERE conversation_id = $1 AND idempotency_key = $2",
    )
    .bind(conv)
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?
    {
        let same = (
            r.try_get::<Option<i64>, _>(1)?,
            r.try_get::<Option<i64>, _>(2)?,
        ) == (account, staff);
        return if same {
            Ok(Sent::Again(r.try_get(0)?))
        } else {
            Err(AppError::BadRequest)
        };
    }
    if !open {
        return Err(AppError::Conflict(CLOSED.into()));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, author_kind, author_account_id, author_staff_id, \
         author_name, body, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id",
    )
    .bind(conv)
    .bind(kind)
    .bind(account)
    .bind(staff)
    .bind(name)
    .bind(body)
    .bind(key)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE conversations SET last_message_id = $2 WHERE id = $1")
        .bind(conv)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    mark_read(tx, conv, author.viewer(), id, now).await?;
    Ok(Sent::New(id))
}

/// A new, open conversation (without its first message) inside `tx`. A key that already
/// started one for this record is found first with `started_with`.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    tx: &mut AnyConnection,
    practice_id: i64,
    chart_id: i64,
    topic: Topic,
    subject: &str,
    started_by: &str,
    key: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO conversations (practice_id, chart_id, topic, subject, status, needs_reply, \
         last_message_id, last_message_at, started_by, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, 'open', 0, 0, $5, $6, $7, $5) RETURNING id",
    )
    .bind(practice_id)
    .bind(chart_id)
    .bind(topic.as_str())
    .bind(subject)
    .bind(now)
    .bind(started_by)
    .bind(key)
    .fetch_one(&mut *tx)
    .await?)
}

/// The conversation this key already started for this record, if any.
pub async fn started_with(
    conn: &mut AnyConnection,
    chart_id: i64,
    key: &str,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM conversations WHERE chart_id = $1 AND idempotency_key = $2",
    )
    .bind(chart_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Spend one of each allowance in `budgets`, or fail with the first that is used up.
pub async fn spend(
    tx: &mut AnyConnection,
    budgets: &[(String, budget::Budget, &'static str)],
    now: i64,
) -> AppResult<()> {
    for (key, b, which) in budgets {
        if !budget::spend(tx, key, *b, now).await? {
            return Err(super::too_many(which));
        }
    }
    Ok(())
}

/// A fresh idempotency key for a form.
pub fn send_key() -> String {
    token::random_hex(16)
}

/// Keys arrive from forms: anything but a key this server could have made is refused.
pub fn check_key(key: &str) -> AppResult<()> {
    if key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(AppError::BadRequest)
    }
}

/// The newest message written by the patient's side (`true`) or the practice's, in `conv`.
pub async fn last_from(conn: &mut AnyConnection, conv: i64, patient_side: bool) -> AppResult<i64> {
    let sql = if patient_side {
        "SELECT MAX(id) FROM messages WHERE conversation_id = $1 AND author_account_id IS NOT NULL"
    } else {
        "SELECT MAX(id) FROM messages WHERE conversation_id = $1 AND author_staff_id IS NOT NULL"
    };
    let n: Option<i64> = sqlx::query_scalar(sql)
        .bind(conv)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n.unwrap_or(0))
}

/// A draft: (topic, subject, body).
pub async fn draft(
    conn: &mut AnyConnection,
    account: i64,
    chart: i64,
    conv: i64,
) -> AppResult<(String, String, String)> {
    let r = sqlx::query(
        "SELECT topic, subject, body FROM message_drafts \
         WHERE account_id = $1 AND chart_id = $2 AND conversation_id = $3",
    )
    .bind(account)
    .bind(chart)
    .bind(conv)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match r {
        Some(r) => (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?),
        None => Default::default(),
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn save_draft(
    conn: &mut AnyConnection,
    account: i64,
    chart: i64,
    conv: i64,
    topic: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> AppResult<()> {
    if topic.is_empty() && subject.is_empty() && body.is_empty() {
        return drop_draft(conn, account, chart, conv).await;
    }
    sqlx::query(
        "INSERT INTO message_drafts (account_id, chart_id, conversation_id, topic, subject, body, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (account_id, chart_id, conversation_id) DO UPDATE SET \
           topic = $4, subject = $5, body = $6, updated_at = $7",
    )
    .bind(account)
    .bind(chart)
    .bind(conv)
    .bind(topic)
    .bind(subject)
    .bind(body)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn drop_draft(
    conn: &mut AnyConnection,
    account: i64,
    chart: i64,
    conv: i64,
) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM message_drafts WHERE account_id = $1 AND chart_id = $2 AND conversation_id = $3",
    )
    .bind(account)
    .bind(chart)
    .bind(conv)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
