//! The patient's side: the selected record's conversations, writing to the practice, replies.
//! A representative writes about the record they represent, as themselves.

use sqlx::Row;

use super::{
    budget_keys,
    live::Signal,
    not_found,
    store::{self, Author, Conv, Practice, Sent},
    view::{self, Request},
    Viewer,
};
use crate::{
    domain::message::{check_body, check_new, clean},
    error::{AppError, AppResult},
    model::messages::{ConversationRow, ConversationView, MessagesHome, NewMessageForm, Topic},
    ssr::{
        appointments::{
            patient::{context, PatientCtx},
            store as appt_store,
        },
        audit::{self, Actor, Entry},
        schedule::format_instant,
    },
};

async fn audit(ctx: &PatientCtx, action: &str, chart: Option<i64>, detail: &str) -> AppResult<()> {
    audit::record_alone(
        &ctx.st.db,
        ctx.st.clock.now(),
        Entry {
            actor: Actor::Patient(ctx.account_id),
            action,
            chart_id: chart,
            client: Some(&ctx.client),
            detail,
        },
    )
    .await?;
    Ok(())
}

/// The selected record and the practice it belongs to.
async fn selected(ctx: &PatientCtx) -> AppResult<(i64, Practice, String, bool)> {
    let chart = ctx
        .selected_chart()
        .await?
        .ok_or_else(|| AppError::NotFound("There is no record to show messages for.".into()))?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let r = sqlx::query(
        "SELECT c.practice_id, c.given_name, c.family_name, ac.relationship FROM patient_charts c \
         JOIN account_charts ac ON ac.chart_id = c.id AND ac.account_id = $2 WHERE c.id = $1",
    )
    .bind(chart)
    .bind(ctx.account_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(not_found)?;
    let practice = store::practice(&mut conn, r.try_get(0)?).await?;
    let given: String = r.try_get(1)?;
    let family: String = r.try_get(2)?;
    let rel: String = r.try_get(3)?;
    Ok((
        chart,
        practice,
        format!("{given} {family}"),
        rel == "representative",
    ))
}

/// The selected record's conversations, newest activity first.
pub async fn home() -> AppResult<MessagesHome> {
    let ctx = context().await?;
    let (chart, practice, patient_name, _) = selected(&ctx).await?;
    let rows = sqlx::query(
        "SELECT v.id, v.subject, v.topic, v.status, v.last_message_at, \
         (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = v.id \
            AND m.author_staff_id IS NOT NULL AND m.id > COALESCE((SELECT r.last_read_id \
            FROM message_reads r WHERE r.conversation_id = v.id AND r.reader_kind = 'account' \
            AND r.reader_id = $2), 0)) \
         FROM conversations v WHERE v.chart_id = $1 \
         ORDER BY v.last_message_at DESC, v.id DESC LIMIT 200",
    )
    .bind(chart)
    .bind(ctx.account_id)
    .fetch_all(ctx.st.db.read())
    .await?;
    let conversations = rows
        .iter()
        .map(|r| {
            let topic: String = r.try_get(2)?;
            let status: String = r.try_get(3)?;
            Ok(ConversationRow {
                id: r.try_get(0)?,
                subject: r.try_get(1)?,
                topic: Topic::parse(&topic).unwrap_or(Topic::Other),
                practice_name: practice.name.clone(),
                patient_name: patient_name.clone(),
                last_at: format_instant(r.try_get(4)?, practice.zone),
                unread: r.try_get(5)?,
                open: status == "open",
                needs_reply: false,
                last_staff_name: String::new(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(MessagesHome {
        patient_name,
        practice: practice.public(),
        conversations,
    })
}

/// Unread messages from the practice in the record's conversations, for the navigation.
pub async fn unread(db: &crate::ssr::db::Db, account: i64, chart: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id \
         LEFT JOIN message_reads r ON r.conversation_id = v.id AND r.reader_kind = 'account' \
           AND r.reader_id = $2 \
         WHERE v.chart_id = $1 AND m.author_staff_id IS NOT NULL AND m.id > COALESCE(r.last_read_id, 0)",
    )
    .bind(chart)
    .bind(account)
    .fetch_one(db.read())
    .await
}

/// The conversation if this account may see it (any record linked to it), with whether it
/// writes there as a representative. Anything else is "not found", audited.
async fn visible(ctx: &PatientCtx, id: i64) -> AppResult<(Conv, Practice, bool)> {
    let mut conn = ctx.st.db.read().acquire().await?;
    let conv = store::conversation(&mut conn, id).await?;
    let rel = match &conv {
        Some(c) => appt_store::relationship(&mut conn, ctx.account_id, c.chart_id).await?,
        None => None,
    };
    match (conv, rel) {
        (Some(c), Some(rel)) => {
            let practice = store::practice(&mut conn, c.practice_id).await?;
            Ok((c, practice, rel == "representative"))
        }
        (c, _) => {
            drop(conn);
            audit(
                ctx,
                "message.denied",
                c.map(|c| c.chart_id),
                &format!("conversation:{id}"),
            )
            .await?;
            Err(not_found())
        }
    }
}

/// Read `conv` as this account: messages after `after`, marking them read.
async fn read(
    ctx: &PatientCtx,
    conv: &Conv,
    practice: &Practice,
    after: i64,
) -> AppResult<ConversationView> {
    let mut conn = ctx.st.db.read().acquire().await?;
    let draft = store::draft(&mut conn, ctx.account_id, conv.chart_id, conv.id)
        .await?
        .2;
    drop(conn);
    view::read(
        &ctx.st,
        Request {
            conv,
            practice,
            viewer: Viewer::Account(ctx.account_id),
            admin: false,
            after,
            draft,
        },
    )
    .await
}

/// Opening a conversation: every message, marked read, and the view audited (once per view).
pub async fn conversation(id: i64) -> AppResult<ConversationView> {
    let ctx = context().await?;
    let (conv, practice, _) = visible(&ctx, id).await?;
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

/// What is newer than `after`, for an open page told that something changed. Not audited:
/// the page was, when it opened.
pub async fn since(id: i64, after: i64) -> AppResult<ConversationView> {
    let ctx = context().await?;
    let (conv, practice, _) = visible(&ctx, id).await?;
    read(&ctx, &conv, &practice, after.max(0)).await
}

fn closed_for_writing(p: &Practice) -> AppError {
    AppError::Conflict(format!(
        "{} is not taking messages online at the moment. Please call {}.",
        p.name, p.phone
    ))
}

async fn author(ctx: &PatientCtx, representative: bool) -> AppResult<Author> {
    Ok(Author::Account {
        id: ctx.account_id,
        kind: if representative {
            "representative"
        } else {
            "patient"
        },
        name: ctx.name().await?,
    })
}

/// Keep what was typed when sending fails, so a page without JavaScript shows it again.
async fn keep(ctx: &PatientCtx, chart: i64, conv: i64, fields: (&str, &str, &str)) {
    let run = async {
        let mut conn = ctx.st.db.write().acquire().await?;
        store::save_draft(
            &mut conn,
            ctx.account_id,
            chart,
            conv,
            fields.0,
            fields.1,
            fields.2,
            ctx.st.clock.now(),
        )
        .await
    };
    if let Err(e) = run.await {
        tracing::warn!(error = %e, "could not keep a draft");
    }
}

/// A reply in an open conversation. Returns the message id (the same one for a retried send).
pub async fn reply(id: i64, body: String, key: String) -> AppResult<i64> {
    let ctx = context().await?;
    store::check_key(&key)?;
    let (conv, practice, representative) = visible(&ctx, id).await?;
    let result = send_reply(&ctx, &conv, &practice, representative, &body, &key).await;
    if result.is_err() {
        keep(&ctx, conv.chart_id, conv.id, ("", "", &clean(&body))).await;
    }
    result
}

async fn send_reply(
    ctx: &PatientCtx,
    conv: &Conv,
    practice: &Practice,
    representative: bool,
    body: &str,
    key: &str,
) -> AppResult<i64> {
    if !practice.enabled {
        return Err(closed_for_writing(practice));
    }
    let body = check_body(body)?;
    let author = author(ctx, representative).await?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let sent = store::append(&mut tx, conv.id, &author, &body, key, now).await?;
    let Sent::New(msg) = sent else {
        return Ok(sent.id());
    };
    store::spend(
        &mut tx,
        &budget_keys(ctx.account_id, ctx.st.config.messages_per_minute),
        now,
    )
    .await?;
    store::drop_draft(&mut tx, ctx.account_id, conv.chart_id, conv.id).await?;
    audit_in(
        &mut tx,
        ctx,
        "message.send",
        conv.chart_id,
        &format!("conversation:{} message:{msg}", conv.id),
        now,
    )
    .await?;
    ctx.st.live.commit(tx, &[conv.signal(msg)]).await?;
    Ok(msg)
}

async fn audit_in(
    tx: &mut sqlx::AnyConnection,
    ctx: &PatientCtx,
    action: &str,
    chart: i64,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    audit::record(
        tx,
        now,
        Entry {
            actor: Actor::Patient(ctx.account_id),
            action,
            chart_id: Some(chart),
            client: Some(&ctx.client),
            detail,
        },
    )
    .await?;
    Ok(())
}

/// The "New message" form for the selected record, with what was being written.
pub async fn new_form() -> AppResult<NewMessageForm> {
    let ctx = context().await?;
    let (chart, practice, patient_name, representative) = selected(&ctx).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let (topic, subject, body) = store::draft(&mut conn, ctx.account_id, chart, 0).await?;
    Ok(NewMessageForm {
        patient_name,
        as_representative: representative,
        practice: practice.public(),
        draft_topic: topic,
        draft_subject: subject,
        draft_body: body,
        send_key: store::send_key(),
    })
}

/// Start a conversation about the selected record. Returns its id (the same one for a retry).
pub async fn start(topic: String, subject: String, body: String, key: String) -> AppResult<i64> {
    let ctx = context().await?;
    store::check_key(&key)?;
    let (chart, practice, _, representative) = selected(&ctx).await?;
    let result = send_new(
        &ctx,
        chart,
        &practice,
        representative,
        (&topic, &subject, &body),
        &key,
    )
    .await;
    if result.is_err() {
        keep(&ctx, chart, 0, (&topic, &clean(&subject), &clean(&body))).await;
    }
    result
}

async fn send_new(
    ctx: &PatientCtx,
    chart: i64,
    practice: &Practice,
    representative: bool,
    (topic, subject, body): (&str, &str, &str),
    key: &str,
) -> AppResult<i64> {
    if !practice.enabled {
        return Err(closed_for_writing(practice));
    }
    let (topic, subject, body) = check_new(topic, subject, body)?;
    let author = author(ctx, representative).await?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    if let Some(id) = store::started_with(&mut tx, chart, key).await? {
        return Ok(id);
    }
    let mut budgets = budget_keys(ctx.account_id, ctx.st.config.messages_per_minute).to_vec();
    let per_record = super::new_per_record(ctx.st.config.new_conversations_per_day);
    budgets.insert(0, (format!("msg.new:{chart}"), per_record, "new"));
    store::spend(&mut tx, &budgets, now).await?;
    let conv = store::create(
        &mut tx,
        practice.id,
        chart,
        topic,
        &subject,
        "patient",
        key,
        now,
    )
    .await?;
    let msg = store::append(&mut tx, conv, &author, &body, key, now)
        .await?
        .id();
    store::drop_draft(&mut tx, ctx.account_id, chart, 0).await?;
    audit_in(
        &mut tx,
        ctx,
        "message.start",
        chart,
        &format!("conversation:{conv} message:{msg}"),
        now,
    )
    .await?;
    let signal = Signal::Conversation {
        conversation: conv,
        chart,
        practice: practice.id,
        message: msg,
    };
    ctx.st.live.commit(tx, &[signal]).await?;
    Ok(conv)
}

/// Save what the patient is writing: `conversation` 0 is the selected record's new message.
pub async fn save_draft(
    conversation: i64,
    topic: String,
    subject: String,
    body: String,
) -> AppResult<()> {
    let ctx = context().await?;
    let chart = if conversation == 0 {
        selected(&ctx).await?.0
    } else {
        visible(&ctx, conversation).await?.0.chart_id
    };
    // Bounded like the message itself (a little slack for a draft that is still too long).
    let cap = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let topic = Topic::parse(&topic).map_or("", Topic::as_str);
    let mut conn = ctx.st.db.write().acquire().await?;
    store::save_draft(
        &mut conn,
        ctx.account_id,
        chart,
        conversation,
        topic,
        &cap(&subject, 2 * crate::domain::message::SUBJECT_MAX),
        &cap(&body, 2 * crate::domain::message::BODY_MAX),
        ctx.st.clock.now(),
    )
    .await
}
