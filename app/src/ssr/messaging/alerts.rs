//! "You have a new message" emails: only for a practice message still unread after five
//! minutes, at most one per conversation and account every four hours, only to accounts that
//! want message alerts. Nothing of the message, not even its subject, goes into the email.

use sqlx::Row;

use crate::ssr::{
    outbox::{self, Channel},
    state::AppState,
};

/// How long a message waits unread before an email tells of it.
pub const UNREAD_FOR_SECS: i64 = 5 * 60;
/// The least time between two alerts for one conversation.
pub const EVERY_SECS: i64 = 4 * 60 * 60;
/// Older messages are not looked at again (a patient away for a week gets no late emails).
const LOOK_BACK_SECS: i64 = 7 * 24 * 60 * 60;

pub fn text(practice: &str, base_url: &str) -> (String, String) {
    (
        format!("You have a new message from {practice}"),
        format!(
            "You have a new message from {practice}. Sign in to read it.\n\n{}/messages\n",
            base_url.trim_end_matches('/')
        ),
    )
}

/// Queue the alerts that are due. Returns how many were queued. Safe to run on every instance
/// at once: each alert is claimed with a conditional write before it is queued.
pub async fn queue_due(st: &AppState) -> Result<u64, sqlx::Error> {
    let now = st.clock.now();
    let due = sqlx::query(
        "SELECT v.id, ac.account_id, a.email, p.name, MAX(m.id) \
         FROM messages m \
         JOIN conversations v ON v.id = m.conversation_id \
         JOIN practices p ON p.id = v.practice_id \
         JOIN account_charts ac ON ac.chart_id = v.chart_id \
         JOIN portal_accounts a ON a.id = ac.account_id \
         LEFT JOIN message_reads r ON r.conversation_id = v.id AND r.reader_kind = 'account' \
           AND r.reader_id = ac.account_id \
         LEFT JOIN message_alerts al ON al.conversation_id = v.id AND al.account_id = ac.account_id \
         LEFT JOIN message_withdrawals w ON w.message_id = m.id \
         WHERE m.author_staff_id IS NOT NULL AND w.message_id IS NULL \
           AND m.created_at <= $1 AND m.created_at > $2 \
           AND a.status = 'active' AND a.notify_messages = 1 AND a.email <> '' \
           AND m.id > COALESCE(r.last_read_id, 0) \
           AND (al.sent_at IS NULL OR (al.sent_at <= $3 AND al.message_id < m.id)) \
         GROUP BY v.id, ac.account_id, a.email, p.name \
         LIMIT 500",
    )
    .bind(now - UNREAD_FOR_SECS)
    .bind(now - LOOK_BACK_SECS)
    .bind(now - EVERY_SECS)
    .fetch_all(st.db.read())
    .await?;
    let mut queued = 0;
    for r in due {
        let conv: i64 = r.try_get(0)?;
        let account: i64 = r.try_get(1)?;
        let email: String = r.try_get(2)?;
        let practice: String = r.try_get(3)?;
        let message: i64 = r.try_get(4)?;
        let mut tx = st.db.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO message_alerts (conversation_id, account_id, message_id, sent_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id, account_id) DO UPDATE SET \
               message_id = $3, sent_at = $4 \
             WHERE message_alerts.sent_at <= $5 AND message_alerts.message_id < $3",
        )
        .bind(conv)
        .bind(account)
        .bind(message)
        .bind(now)
        .bind(now - EVERY_SECS)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue;
        }
        let (subject, body) = text(&practice, &st.config.base_url);
        let key = format!("message-alert:{conv}:{account}:{message}");
        outbox::enqueue(
            &mut tx,
            now,
            outbox::Message {
                channel: Channel::Email,
                to: &email,
                subject: &subject,
                body: &body,
                dedupe_key: Some(&key),
            },
        )
        .await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_says_nothing_of_the_message() {
        let (subject, body) = text("Riverside Family Medicine", "https://portal.example/");
        assert_eq!(
            subject,
            "You have a new message from Riverside Family Medicine"
        );
        assert!(body.starts_with(
            "You have a new message from Riverside Family Medicine. Sign in to read it."
        ));
        assert!(body.contains("https://portal.example/messages"));
    }
}
