//! A conversation as one viewer sees it, whole or from a message id on.

use sqlx::AnyConnection;

use super::{
    format_date,
    store::{self, Conv, Practice},
    view_message, Viewer,
};
use crate::{error::AppResult, model::messages::ConversationView, ssr::state::AppState};

pub struct Request<'a> {
    pub conv: &'a Conv,
    pub practice: &'a Practice,
    pub viewer: Viewer,
    /// Staff admins may withdraw any staff message, others only their own.
    pub admin: bool,
    /// Messages after this id (0: all).
    pub after: i64,
    pub draft: String,
}

pub async fn build(conn: &mut AnyConnection, r: Request<'_>) -> AppResult<ConversationView> {
    let Request {
        conv,
        practice,
        viewer,
        admin,
        after,
        draft,
    } = r;
    let msgs = store::messages(conn, conv.id, after).await?;
    let messages: Vec<_> = msgs
        .iter()
        .map(|m| view_message(m, viewer, practice, admin))
        .collect();
    let withdrawn = if after > 0 {
        store::withdrawn(conn, conv.id)
            .await?
            .iter()
            .map(|m| view_message(m, viewer, practice, admin))
            .collect()
    } else {
        Vec::new()
    };
    let patient_side = matches!(viewer, Viewer::Account(_));
    let own_last = store::last_from(conn, conv.id, patient_side).await?;
    let other_read = store::read_by(
        conn,
        conv.id,
        if patient_side { "staff" } else { "account" },
    )
    .await?;
    let seen_note = (own_last > 0 && other_read >= own_last).then(|| {
        if patient_side {
            "Seen by the practice".to_string()
        } else {
            "Read by the patient".to_string()
        }
    });
    let closed_note = (!conv.open).then(|| {
        let by = if patient_side || conv.closed_by_name.is_empty() {
            "the practice".to_string()
        } else {
            conv.closed_by_name.clone()
        };
        match conv.closed_at {
            Some(at) => format!("Closed by {by} on {}.", format_date(at, practice.zone)),
            None => format!("Closed by {by}."),
        }
    });
    let last_id = messages.last().map_or(after, |m| m.id);
    Ok(ConversationView {
        id: conv.id,
        subject: conv.subject.clone(),
        topic: conv.topic,
        practice: practice.public(),
        patient_name: conv.patient_name.clone(),
        patient_dob: if patient_side {
            String::new()
        } else {
            conv.patient_dob.clone()
        },
        chart_id: if patient_side { 0 } else { conv.chart_id },
        open: conv.open,
        closed_note,
        messages,
        withdrawn,
        seen_note,
        can_write: conv.open && practice.enabled,
        draft,
        send_key: store::send_key(),
        last_id,
    })
}

/// Read a conversation as `r.viewer` (from `r.after` on) and mark what it shows as read. Only a
/// read that moves the viewer's position writes (and tells the other side): an open page
/// re-reading on every signal costs no write lock when nothing new arrived.
pub async fn read(st: &AppState, r: Request<'_>) -> AppResult<ConversationView> {
    let (conv, viewer) = (r.conv, r.viewer);
    let mut conn = st.db.read().acquire().await?;
    let v = build(&mut conn, r).await?;
    let behind = store::read_position(&mut conn, conv.id, viewer).await? < v.last_id;
    drop(conn);
    if behind {
        let mut tx = st.db.begin().await?;
        let moved = store::mark_read(&mut tx, conv.id, viewer, v.last_id, st.clock.now()).await?;
        let signals = if moved {
            vec![conv.signal(v.last_id)]
        } else {
            Vec::new()
        };
        st.live.commit(tx, &signals).await?;
    }
    Ok(v)
}
