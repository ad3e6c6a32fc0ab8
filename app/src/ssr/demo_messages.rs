//! Demo conversations: for Emma at Riverside one answered and one waiting, and one about Lily
//! at Harbor that Emma wrote as her representative. Times are relative to the moment of seeding.

use sqlx::AnyConnection;

pub struct Ids {
    pub riverside: i64,
    pub harbor: i64,
    pub emma_riverside: i64,
    pub lily_harbor: i64,
    pub account: i64,
    /// Riverside's admin, who answered.
    pub answered_by: i64,
}

const HOUR: i64 = 60 * 60;

struct Line<'a> {
    staff: Option<(i64, &'a str)>,
    kind: &'a str,
    body: &'a str,
    ago: i64,
}

#[allow(clippy::too_many_arguments)]
async fn conversation(
    c: &mut AnyConnection,
    (practice, chart): (i64, i64),
    topic: &str,
    subject: &str,
    account: i64,
    lines: &[Line<'_>],
    now: i64,
) -> Result<i64, sqlx::Error> {
    let first = lines.first().map_or(now, |l| now - l.ago);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (practice_id, chart_id, topic, subject, status, needs_reply, \
         last_message_id, last_message_at, started_by, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, 'open', 0, 0, $5, 'patient', $6, $5) RETURNING id",
    )
    .bind(practice)
    .bind(chart)
    .bind(topic)
    .bind(subject)
    .bind(first)
    .bind(format!("demo-{subject}"))
    .fetch_one(&mut *c)
    .await?;
    let mut last = 0;
    for (n, l) in lines.iter().enumerate() {
        let (account_id, staff_id, name) = match l.staff {
            Some((sid, name)) => (None, Some(sid), name),
            None => (Some(account), None, "Emma Carter"),
        };
        last = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, author_kind, author_account_id, author_staff_id, \
             author_name, body, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING id",
        )
        .bind(id)
        .bind(l.kind)
        .bind(account_id)
        .bind(staff_id)
        .bind(name)
        .bind(l.body)
        .bind(format!("demo-{n}"))
        .bind(now - l.ago)
        .fetch_one(&mut *c)
        .await?;
        // Each side has read up to its own latest message.
        let (reader_kind, reader_id) = match l.staff {
            Some((sid, _)) => ("staff", sid),
            None => ("account", account),
        };
        sqlx::query(
            "INSERT INTO message_reads (conversation_id, reader_kind, reader_id, last_read_id, read_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id, reader_kind, reader_id) \
             DO UPDATE SET last_read_id = $4, read_at = $5",
        )
        .bind(id)
        .bind(reader_kind)
        .bind(reader_id)
        .bind(last)
        .bind(now - l.ago)
        .execute(&mut *c)
        .await?;
    }
    let tail = lines.last();
    let needs_reply = i64::from(tail.is_some_and(|l| l.staff.is_none()));
    let last_staff = lines
        .iter()
        .rev()
        .find_map(|l| l.staff.map(|s| s.1))
        .unwrap_or("");
    sqlx::query(
        "UPDATE conversations SET last_message_id = $2, last_message_at = $3, needs_reply = $4, \
         last_staff_name = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(last)
    .bind(tail.map_or(now, |l| now - l.ago))
    .bind(needs_reply)
    .bind(last_staff)
    .execute(&mut *c)
    .await?;
    if tail.is_some_and(|l| l.staff.is_some()) {
        // The demo's unread answer has had its email already.
        sqlx::query(
            "INSERT INTO message_alerts (conversation_id, account_id, message_id, sent_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(account)
        .bind(last)
        .bind(now - HOUR)
        .execute(&mut *c)
        .await?;
    }
    Ok(id)
}

pub async fn seed(c: &mut AnyConnection, ids: Ids, now: i64) -> Result<(), sqlx::Error> {
    for (practice, address) in [
        (ids.riverside, "120 River Road, New York, NY 10014"),
        (ids.harbor, "45 Harbor Way, San Francisco, CA 94107"),
    ] {
        sqlx::query("UPDATE practices SET address = $2 WHERE id = $1")
            .bind(practice)
            .bind(address)
            .execute(&mut *c)
            .await?;
    }
    let priya = Some((ids.answered_by, "Priya Shah"));
    conversation(
        c,
        (ids.riverside, ids.emma_riverside),
        "medication",
        "Refill for lisinopril",
        ids.account,
        &[
            Line {
                staff: None,
                kind: "patient",
                body: "Hello, I am almost out of lisinopril 10 mg. Could you send a refill to my usual pharmacy?",
                ago: 50 * HOUR,
            },
            Line {
                staff: priya,
                kind: "staff",
                body: "Hi Emma, Dr. Patel approved the refill and it was sent to your pharmacy this morning.",
                ago: 26 * HOUR,
            },
        ],
        now,
    )
    .await?;
    conversation(
        c,
        (ids.riverside, ids.emma_riverside),
        "test_result",
        "Question about my blood test",
        ids.account,
        &[Line {
            staff: None,
            kind: "patient",
            body: "My cholesterol result says \"borderline\". Should I book a visit to talk about it?",
            ago: 2 * HOUR,
        }],
        now,
    )
    .await?;
    conversation(
        c,
        (ids.harbor, ids.lily_harbor),
        "other",
        "School sports form for Lily",
        ids.account,
        &[Line {
            staff: None,
            kind: "representative",
            body: "Lily's school needs a signed sports physical form. Can the doctor fill it in from her last check-up?",
            ago: 20 * HOUR,
        }],
        now,
    )
    .await?;
    Ok(())
}
