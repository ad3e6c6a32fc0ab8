//! The practice's side: the shared inbox, answering, closing, withdrawing, settings.
//! Staff see only their own practice's conversations; anything else is "not found", audited.

use sqlx::Row;

use super::{
    live::Signal,
    not_found,
    store::{self, Author, Conv, Practice, Sent},
    view::{self, Request},
    Viewer,
};
use crate::{
    domain::message::{check_body, check_new, check_reason, check_response_time},
    error::{AppError, AppResult},
    model::{
        messages::{
            ConversationRow, ConversationView, Inbox, InboxFilter, MessagingSettings, StaffNewForm,
            Topic,
        },
        StaffRole, BADGE_CAP,
    },
    ssr::{
        appointments::staff::{context, StaffCtx},
        audit::{self, Actor, Entry},
        schedule::format_instant,
    },
};

async fn audit(ctx: &StaffCtx, action: &str, chart: Option<i64>, detail: &str) -> AppResult<()> {
    let mut conn = ctx.st.db.write().acquire().await?;
    audit_in(&mut conn, ctx, action, chart, detail).await
}

async fn audit_in(
    conn: &mut sqlx::AnyConnection,
    ctx: &StaffCtx,
    action: &str,
    chart: Option<i64>,
    detail: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        ctx.st.clock.now(),
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action,
            chart_id: chart,
            client: Some(&ctx.client),
            detail,
        },
    )
    .await?;
    Ok(())
}

/// The inbox and the overview show it; it is counted from `conversations_needs_reply` alone.
pub const NEEDS_REPLY: &str =
    "SELECT COUNT(*) FROM conversations WHERE practice_id = $1 AND needs_reply = 1 AND status = 'open'";

/// The navigation's count on every staff page, which stops at `$2` ([`BADGE_CAP`]).
pub const NEEDS_REPLY_BADGE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM conversations \
     WHERE practice_id = $1 AND needs_reply = 1 AND status = 'open' LIMIT $2) w";

/// Open conversations of the practice whose last word is the patient's.
pub async fn needs_reply(db: &crate::ssr::db::Db, practice: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(NEEDS_REPLY)
        .bind(practice)
        .fetch_one(db.read())
        .await
}

/// [`needs_reply`] up to [`BADGE_CAP`].
pub async fn needs_reply_badge(db: &crate::ssr::db::Db, practice: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(NEEDS_REPLY_BADGE)
        .bind(practice)
        .bind(BADGE_CAP)
        .fetch_one(db.read())
        .await
}

/// Conversations on one page of the shared inbox.
pub const INBOX_PAGE: i64 = 50;

/// The shared inbox's page query under `filter`: $1 practice, $2 the reader (for the unread
/// count), $3 the search ('' for none) and $4 its LIKE pattern, $5 limit, $6 offset.
/// `query_plans` checks that each filter's page is one index walk, not a sort of the inbox.
pub fn inbox_sql(filter: InboxFilter) -> String {
    let cond = match filter {
        InboxFilter::NeedsReply => "v.needs_reply = 1 AND v.status = 'open'",
        InboxFilter::Open => "v.status = 'open'",
        InboxFilter::Closed => "v.status = 'closed'",
        InboxFilter::All => "1 = 1",
    };
    format!(
        "SELECT v.id, v.subject, v.topic, v.status, v.needs_reply, v.last_message_at, \
         v.last_staff_name, c.given_name, c.family_name, \
         (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = v.id \
            AND m.author_account_id IS NOT NULL AND m.id > COALESCE((SELECT r.last_read_id \
            FROM message_reads r WHERE r.conversation_id = v.id AND r.reader_kind = 'staff' \
            AND r.reader_id = $2), 0)) \
         FROM conversations v JOIN patient_charts c ON c.id = v.chart_id \
         WHERE v.practice_id = $1 AND {cond} AND ($3 = '' OR LOWER(v.subject) LIKE $4 \
           OR LOWER(c.given_name || ' ' || c.family_name) LIKE $4 \
           OR LOWER(c.family_name || ', ' || c.given_name) LIKE $4) \
         ORDER BY v.last_message_at DESC, v.id DESC LIMIT $5 OFFSET $6"
    )
}

/// Page `page` (from 1) of the shared inbox under `filter`, optionally searched by patient name
/// or subject, the latest first.
pub async fn inbox(filter: InboxFilter, q: String, page: i64) -> AppResult<Inbox> {
    let page = page.max(1);
    let ctx = context().await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let practice = store::practice(&mut conn, ctx.practice_id).await?;
    let q = q.trim().to_lowercase().replace(['%', '_', '\\'], "");
    let like = format!("%{q}%");
    let rows = sqlx::query(&inbox_sql(filter))
        .bind(ctx.practice_id)
        .bind(ctx.staff_id)
        .bind(&q)
        .bind(&like)
        .bind(INBOX_PAGE + 1)
        .bind((page - 1) * INBOX_PAGE)
        .fetch_all(&mut *conn)
        .await?;
    let has_more = rows.len() as i64 > INBOX_PAGE;
    let rows = rows[..rows.len().min(INBOX_PAGE as usize)]
        .iter()
        .map(|r| {
            let topic: String = r.try_get(2)?;
            let status: String = r.try_get(3)?;
            let given: String = r.try_get(7)?;
            let family: String = r.try_get(8)?;
            Ok(ConversationRow {
                id: r.try_get(0)?,
                subject: r.try_get(1)?,
                topic: Topic::parse(&topic).unwrap_or(Topic::Other),
                practice_name: practice.name.clone(),
                patient_name: format!("{given} {family}"),
                last_at: format_instant(r.try_get(5)?, practice.zone),
                unread: r.try_get(9)?,
                open: status == "open",
                needs_reply: r.try_get::<i64, _>(4)? == 1,
                last_staff_name: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    drop(conn);
    Ok(Inbox {
        rows,
        needs_reply: needs_reply(&ctx.st.db, ctx.practice_id).await?,
        page,
        has_more,
    })
}

async fn visible(ctx: &StaffCtx, id: i64) -> AppResult<(Conv, Practice)> {
    let mut conn = ctx.st.db.read().acquire().await?;
    match store::conversation(&mut conn, id).await? {
        Some(c) if c.practice_id == ctx.practice_id => {
            let p = store::practice(&mut conn, c.practice_id).await?;
            Ok((c, p))
        }
        _ => {
            drop(conn);
            audit(ctx, "message.denied", None, &format!("conversation:{id}")).await?;
            Err(not_found())
        }
    }
}

async fn read(
    ctx: &StaffCtx,
    conv: &Conv,
    practice: &Practice,
    after: i64,
) -> AppResult<ConversationView> {
    view::read(
        &ctx.st,
        Request {
            conv,
            practice,
            viewer: Viewer::Staff(ctx.staff_id),
            admin: ctx.role == StaffRole::Admin,
            after,
            draft: String::new(),
        },
    )
    .await
}

pub async fn conversation(id: i64) -> AppResult<ConversationView> {
    let ctx = context().await?;
    let (conv, practice) = visible(&ctx, id).await?;
    let v = read(&ctx, &conv, &practice, 0).await?;
    audit(
        &ctx,
        "message.view",
        Some(conv.chart_id),
        &format!("conversation:{id}"),
    )
    .await?;
    Ok(v)
}

pub async fn since(id: i64, after: i64) -> AppResult<ConversationView> {
    let ctx = context().await?;
    let (conv, practice) = visible(&ctx, id).await?;
    read(&ctx, &conv, &practice, after.max(0)).await
}

fn author(ctx: &StaffCtx) -> Author {
    Author::Staff {
        id: ctx.staff_id,
        name: ctx.name.clone(),
    }
}

fn writing_off() -> AppError {
    AppError::Conflict(
        "Messaging is switched off for this practice. An admin can switch it on under Messages → Settings.".into(),
    )
}

pub async fn reply(id: i64, body: String, key: String) -> AppResult<i64> {
    let ctx = context().await?;
    store::check_key(&key)?;
    let (conv, practice) = visible(&ctx, id).await?;
    if !practice.enabled {
        return Err(writing_off());
    }
    let body = check_body(&body)?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let sent = store::append(&mut tx, conv.id, &author(&ctx), &body, &key, now).await?;
    let Sent::New(msg) = sent else {
        return Ok(sent.id());
    };
    audit_in(
        &mut tx,
        &ctx,
        "message.send",
        Some(conv.chart_id),
        &format!("conversation:{id} message:{msg}"),
    )
    .await?;
    ctx.st.live.commit(tx, &[conv.signal(msg)]).await?;
    Ok(msg)
}

/// Close (`open` false) or reopen a conversation.
pub async fn set_open(id: i64, open: bool) -> AppResult<()> {
    let ctx = context().await?;
    let (conv, _) = visible(&ctx, id).await?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let done = if open {
        sqlx::query(
            "UPDATE conversations SET status = 'open', closed_at = NULL, closed_by_name = '' \
             WHERE id = $1 AND status = 'closed'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query(
            "UPDATE conversations SET status = 'closed', needs_reply = 0, closed_at = $2, \
             closed_by_name = $3 WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(now)
        .bind(&ctx.name)
        .execute(&mut *tx)
        .await?
    };
    if done.rows_affected() == 0 {
        // Already as asked: nothing to do, nothing to record.
        return Ok(());
    }
    let action = if open {
        "message.reopen"
    } else {
        "message.close"
    };
    audit_in(
        &mut tx,
        &ctx,
        action,
        Some(conv.chart_id),
        &format!("conversation:{id}"),
    )
    .await?;
    ctx.st.live.commit(tx, &[conv.signal(0)]).await?;
    Ok(())
}

/// Mark a staff message as entered in error. It stays, with who marked it, when and why.
pub async fn withdraw(id: i64, message_id: i64, reason: String) -> AppResult<()> {
    let ctx = context().await?;
    let (conv, _) = visible(&ctx, id).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let m = store::message(&mut conn, id, message_id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound("We could not find that message in this conversation.".into())
        })?;
    drop(conn);
    let Some(author) = m.author_staff_id else {
        return Err(AppError::Conflict(
            "Only the practice's own messages can be marked as entered in error.".into(),
        ));
    };
    if author != ctx.staff_id && ctx.role != StaffRole::Admin {
        audit(
            &ctx,
            "message.withdraw.denied",
            Some(conv.chart_id),
            &format!("message:{message_id}"),
        )
        .await?;
        return Err(AppError::Forbidden);
    }
    let reason = check_reason(&reason)?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let done = sqlx::query(
        "INSERT INTO message_withdrawals (message_id, staff_id, staff_name, reason, withdrawn_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(message_id)
    .bind(ctx.staff_id)
    .bind(&ctx.name)
    .bind(&reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(
            "This message was already marked as entered in error.".into(),
        ));
    }
    // The reason is the staff member's own words about the message, not its content.
    audit_in(
        &mut tx,
        &ctx,
        "message.withdraw",
        Some(conv.chart_id),
        &format!("conversation:{id} message:{message_id}"),
    )
    .await?;
    ctx.st.live.commit(tx, &[conv.signal(message_id)]).await?;
    Ok(())
}

async fn chart_of_practice(ctx: &StaffCtx, chart: i64) -> AppResult<(String, String)> {
    let r = sqlx::query(
        "SELECT given_name, family_name, date_of_birth FROM patient_charts WHERE id = $1 AND practice_id = $2",
    )
    .bind(chart)
    .bind(ctx.practice_id)
    .fetch_optional(ctx.st.db.read())
    .await?;
    match r {
        Some(r) => {
            let given: String = r.try_get(0)?;
            let family: String = r.try_get(1)?;
            Ok((format!("{given} {family}"), r.try_get(2)?))
        }
        None => {
            audit(ctx, "message.denied", None, &format!("chart:{chart}")).await?;
            Err(AppError::NotFound("We could not find that patient.".into()))
        }
    }
}

pub async fn new_form(chart: i64) -> AppResult<StaffNewForm> {
    let ctx = context().await?;
    let (patient_name, patient_dob) = chart_of_practice(&ctx, chart).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let practice = store::practice(&mut conn, ctx.practice_id).await?;
    Ok(StaffNewForm {
        chart_id: chart,
        patient_name,
        patient_dob,
        enabled: practice.enabled,
        send_key: store::send_key(),
    })
}

/// Start a conversation with a patient from their chart.
pub async fn start(
    chart: i64,
    topic: String,
    subject: String,
    body: String,
    key: String,
) -> AppResult<i64> {
    let ctx = context().await?;
    store::check_key(&key)?;
    chart_of_practice(&ctx, chart).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let practice = store::practice(&mut conn, ctx.practice_id).await?;
    drop(conn);
    if !practice.enabled {
        return Err(writing_off());
    }
    let (topic, subject, body) = check_new(&topic, &subject, &body)?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    if let Some(id) = store::started_with(&mut tx, chart, &key).await? {
        return Ok(id);
    }
    let conv = store::create(
        &mut tx,
        ctx.practice_id,
        chart,
        topic,
        &subject,
        "staff",
        &key,
        now,
    )
    .await?;
    let msg = store::append(&mut tx, conv, &author(&ctx), &body, &key, now)
        .await?
        .id();
    audit_in(
        &mut tx,
        &ctx,
        "message.start",
        Some(chart),
        &format!("conversation:{conv} message:{msg}"),
    )
    .await?;
    let s = Signal::Conversation {
        conversation: conv,
        chart,
        practice: ctx.practice_id,
        message: msg,
    };
    ctx.st.live.commit(tx, &[s]).await?;
    Ok(conv)
}

pub async fn settings() -> AppResult<MessagingSettings> {
    let ctx = context().await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let p = store::practice(&mut conn, ctx.practice_id).await?;
    Ok(MessagingSettings {
        enabled: p.enabled,
        response_time: p.response_time,
        care_team: p.care_team,
    })
}

/// Admins only. Switching messaging off ends the practice's open live connections at once.
pub async fn save_settings(enabled: bool, response_time: String, care_team: bool) -> AppResult<()> {
    let ctx = context().await?;
    if ctx.role != StaffRole::Admin {
        audit(&ctx, "message.settings.denied", None, "").await?;
        return Err(AppError::Forbidden);
    }
    let response_time = check_response_time(&response_time)?;
    let mut tx = ctx.st.db.begin().await?;
    sqlx::query(
        "UPDATE practices SET messaging_enabled = $2, message_response_time = $3, staff_shown_as = $4 WHERE id = $1",
    )
    .bind(ctx.practice_id)
    .bind(i64::from(enabled))
    .bind(&response_time)
    .bind(if care_team { "care_team" } else { "name" })
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "enabled:{enabled} care_team:{care_team} response_time:{}",
        response_time.chars().take(60).collect::<String>()
    );
    audit_in(&mut tx, &ctx, "message.settings", None, &detail).await?;
    ctx.st
        .live
        .commit(
            tx,
            &[Signal::Practice {
                practice: ctx.practice_id,
            }],
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::{demo, password::Hasher, scale_seed, testing::TestDb};

    // The badge is on every staff page, so it must stop at its cap; the inbox keeps the figure.
    crate::db_test!(
        the_badge_counts_up_to_its_cap_and_the_inbox_all_of_them,
        |t: TestDb| async move {
            let now = 1_800_000_000;
            let hasher = Hasher::new().unwrap_or_else(|e| panic!("{e}"));
            demo::seed_if_empty(&t.db, &hasher, now)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let before = needs_reply(&t.db, 1)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(before < BADGE_CAP, "the demo alone stays under the cap");
            assert_eq!(needs_reply_badge(&t.db, 1).await.ok(), Some(before));

            scale_seed::seed(&t.db, now, 120)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let waiting = needs_reply(&t.db, 1)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(waiting > BADGE_CAP, "{waiting} conversations wait");
            assert_eq!(needs_reply_badge(&t.db, 1).await.ok(), Some(BADGE_CAP));
            // The other practice's count is its own.
            assert_eq!(
                needs_reply_badge(&t.db, 2).await.ok(),
                needs_reply(&t.db, 2).await.ok()
            );
        }
    );
}
