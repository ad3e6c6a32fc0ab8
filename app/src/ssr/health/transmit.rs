//! Sending the record to any email address. Secure: the email holds a link (a 256-bit token,
//! stored hashed, single use, 7 days); the recipient also types a one-time code that the
//! patient passes on by other means. Plain: the summary is attached, sent only after the
//! patient chose "send anyway" past the warning that plain email can be read by others.

use sqlx::Row;

use super::{
    download::{self, checked_filter, Format},
    present,
};
use crate::{
    error::{AppError, AppResult},
    model::health::{SendMethod, SentRecord},
    ssr::{
        appointments::patient::context,
        audit::{self, Actor, Entry},
        codes::{constant_time_eq, generate},
        outbox::{self, Channel, Message},
        schedule::format_instant,
        state::AppState,
        token,
    },
};

pub const LINK_SECS: i64 = 7 * 24 * 60 * 60;
/// Wrong codes before the link stops working (the security codes' limit).
pub const WRONG_PER_LINK: i64 = crate::ssr::codes::WRONG_PER_CODE;

fn email_problem(to: &str) -> Option<&'static str> {
    const PROBLEM: &str = "Enter an email address like name@example.com.";
    let Some((local, domain)) = to.split_once('@') else {
        return Some(PROBLEM);
    };
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && to.len() <= 254
        && !to
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',');
    (!ok).then_some(PROBLEM)
}

fn code_hash(st: &AppState, transmission: i64, code: &str) -> String {
    token::keyed_hash(
        &st.config.secret_key,
        &format!("record-link:{transmission}:{code}"),
    )
}

/// Sends the selected record between `from` and `to` to `to_email`. Returns the
/// transmission's id, for the confirmation page.
pub async fn send(
    to_email: String,
    method: String,
    send_anyway: bool,
    from: String,
    to: String,
) -> AppResult<i64> {
    let ctx = context().await?;
    let st = &ctx.st;
    let recipient = to_email.trim().to_lowercase();
    if recipient.is_empty() {
        return Err(AppError::field(
            "to_email",
            "Enter the email address to send your record to.",
        ));
    }
    if let Some(p) = email_problem(&recipient) {
        return Err(AppError::field("to_email", p));
    }
    let method = SendMethod::parse(&method)
        .ok_or_else(|| AppError::field("method", "Choose how to send your record."))?;
    if method == SendMethod::Plain && !send_anyway {
        return Err(AppError::field(
            "send_anyway",
            "Plain email can be read by others on its way. Tick “Send anyway” to send it like this, or choose the secure link.",
        ));
    }
    let (from_day, to_day, label) = checked_filter(&from, &to)?;
    let chart = ctx
        .selected_chart()
        .await?
        .ok_or_else(|| AppError::NotFound("There is no record to send.".into()))?;
    download::spend(st, ctx.account_id).await?;
    let now = st.clock.now();
    let practice: String = sqlx::query_scalar(
        "SELECT p.name FROM patient_charts c JOIN practices p ON p.id = c.practice_id WHERE c.id = $1",
    )
    .bind(chart)
    .fetch_one(st.db.read())
    .await?;
    let sender = ctx.name().await?;
    // The summary for a plain email is made before the transaction, outside its lock.
    let attachment = match method {
        SendMethod::Plain => Some(download::render(st, chart, Format::Print, &from, &to).await?),
        SendMethod::Secure => None,
    };

    let mut tx = st.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO record_transmissions (account_id, chart_id, method, recipient, from_day, \
         to_day, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(ctx.account_id)
    .bind(chart)
    .bind(method.as_str())
    .bind(&recipient)
    .bind(&from_day)
    .bind(&to_day)
    .bind((method == SendMethod::Secure).then_some(now + LINK_SECS))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let subject = format!("{sender} sent you health information from {practice}");
    match attachment {
        None => {
            let link_token = token::new_token();
            let code = generate(6);
            sqlx::query(
                "UPDATE record_transmissions SET token_hash = $2, code_hash = $3, code_shown = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(token::token_hash(&link_token))
            .bind(code_hash(st, id, &code))
            .bind(&code)
            .execute(&mut *tx)
            .await?;
            let body = format!(
                "{sender} has shared health information from {practice} with you through Portico.\n\n\
                 Open it here within 7 days (the link works once):\n{}/shared-record/{link_token}\n\n\
                 You will need the 6-digit code {sender} gives you. Portico never sends the code by email.",
                st.config.base_url.trim_end_matches('/')
            );
            outbox::enqueue(
                &mut tx,
                now,
                Message {
                    channel: Channel::Email,
                    to: &recipient,
                    subject: &subject,
                    body: &body,
                    dedupe_key: None,
                },
            )
            .await?;
            // The sender gets the code in their own mailbox too, to pass on when they choose.
            let own: String = sqlx::query_scalar("SELECT email FROM portal_accounts WHERE id = $1")
                .bind(ctx.account_id)
                .fetch_one(&mut *tx)
                .await?;
            if !own.is_empty() && own != recipient {
                let body = format!(
                    "You sent health information to {recipient} by secure link. They need this code to open it:\n\n{code}\n\n\
                     Give it to them yourself, by phone or in person. The link works once, for 7 days."
                );
                outbox::enqueue(
                    &mut tx,
                    now,
                    Message {
                        channel: Channel::Email,
                        to: &own,
                        subject: "The code for the health record you sent",
                        body: &body,
                        dedupe_key: None,
                    },
                )
                .await?;
            }
        }
        Some(file) => {
            let body = format!(
                "{sender} has sent you a summary of health information from {practice}. It is attached to this email.\n\n\
                 It was sent as plain email at their request."
            );
            outbox::enqueue_attached(
                &mut tx,
                now,
                Message {
                    channel: Channel::Email,
                    to: &recipient,
                    subject: &subject,
                    body: &body,
                    dedupe_key: None,
                },
                &file.name,
                &String::from_utf8_lossy(&file.body),
            )
            .await?;
        }
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Patient(ctx.account_id),
            action: "health.transmit",
            chart_id: Some(chart),
            client: Some(&ctx.client),
            detail: &format!(
                "{} to {recipient}{}",
                method.label(),
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" · {label}")
                }
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The sender's confirmation: where it went and, for a secure link still unused, the code.
pub async fn sent(id: i64) -> AppResult<SentRecord> {
    let ctx = context().await?;
    let r = sqlx::query(
        "SELECT t.method, t.recipient, t.code_shown, t.expires_at, t.opened_at, t.from_day, t.to_day, p.time_zone \
         FROM record_transmissions t JOIN patient_charts c ON c.id = t.chart_id \
         JOIN practices p ON p.id = c.practice_id WHERE t.id = $1 AND t.account_id = $2",
    )
    .bind(id)
    .bind(ctx.account_id)
    .fetch_optional(ctx.st.db.read())
    .await?
    .ok_or_else(|| AppError::NotFound("That sent record could not be found.".into()))?;
    let method: String = r.try_get(0)?;
    let expires: Option<i64> = r.try_get(3)?;
    let opened: Option<i64> = r.try_get(4)?;
    let zone = crate::ssr::appointments::store::zone(&r.try_get::<String, _>(7)?);
    let now = ctx.st.clock.now();
    let live = opened.is_none() && expires.is_some_and(|e| e > now);
    Ok(SentRecord {
        method: SendMethod::parse(&method).unwrap_or(SendMethod::Secure),
        recipient: r.try_get(1)?,
        code: if live { r.try_get(2)? } else { None },
        expires: expires.map(|e| format_instant(e, zone)).unwrap_or_default(),
        opened: opened.is_some(),
        filter_label: present::filter_label(&crate::model::health::DateFilter {
            from: r.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
            to: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
        }),
    })
}

/// Why a secure link shows nothing.
pub const DEAD_LINK: &str =
    "This link has expired, was already used, or is not valid. Ask the person who sent it to send it again.";

/// A live link's transmission: (id, chart, from, to).
async fn live_link(st: &AppState, link_token: &str) -> AppResult<(i64, i64, String, String)> {
    let now = st.clock.now();
    let r = sqlx::query(
        "SELECT id, chart_id, COALESCE(from_day, ''), COALESCE(to_day, '') FROM record_transmissions \
         WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > $2 AND wrong_attempts < $3",
    )
    .bind(token::token_hash(link_token))
    .bind(now)
    .bind(WRONG_PER_LINK)
    .fetch_optional(st.db.read())
    .await?
    .ok_or_else(|| AppError::NotFound(DEAD_LINK.into()))?;
    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
}

/// Whether the link can still be opened (the code form is shown).
pub async fn check_link(st: &AppState, link_token: &str) -> AppResult<()> {
    live_link(st, link_token).await.map(|_| ())
}

/// The recipient's code: the record summary once (the link is then used up), or why not.
pub async fn open(st: &AppState, link_token: &str, code: &str, client: &str) -> AppResult<String> {
    let (id, chart, from, to) = live_link(st, link_token).await?;
    let now = st.clock.now();
    let mut conn = st.db.write().acquire().await?;
    if !crate::ssr::budget::spend(
        &mut conn,
        &format!("record-link.wrong:{client}"),
        crate::ssr::codes::WRONG_PER_DAY,
        now,
    )
    .await?
    {
        return Err(AppError::TooManyRequests(
            "Too many wrong codes today. Try again tomorrow.".into(),
        ));
    }
    let typed = code.trim();
    let stored: Option<String> =
        sqlx::query_scalar("SELECT code_hash FROM record_transmissions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if !stored.is_some_and(|s| constant_time_eq(&s, &code_hash(st, id, typed))) {
        sqlx::query(
            "UPDATE record_transmissions SET wrong_attempts = wrong_attempts + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        return Err(AppError::field(
            "code",
            "That code is not right. Check it with the person who sent the link.",
        ));
    }
    // Single use: only one request can take the link.
    let taken = sqlx::query(
        "UPDATE record_transmissions SET opened_at = $2, code_shown = NULL WHERE id = $1 AND opened_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !taken {
        return Err(AppError::NotFound(DEAD_LINK.into()));
    }
    audit::record(
        &mut conn,
        now,
        Entry {
            actor: Actor::Anonymous,
            action: "health.link_opened",
            chart_id: Some(chart),
            client: Some(client),
            detail: &format!("transmission {id}"),
        },
    )
    .await?;
    drop(conn);
    let file = download::render(st, chart, Format::Print, &from, &to).await?;
    Ok(String::from_utf8_lossy(&file.body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::email_problem;

    #[test]
    fn addresses_look_like_addresses() {
        assert_eq!(email_problem("dr.lee@clinic.example"), None);
        for bad in [
            "nobody",
            "a@b",
            "@x.org",
            "a b@x.org",
            "a@x.org, b@y.org",
            "a@.org",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}
