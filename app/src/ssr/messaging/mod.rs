//! Secure messaging between a patient record and its practice (SPEC §7, issue 9).
//!
//! Ordering: every write to a conversation first updates its row, which on PostgreSQL locks it
//! until commit, and only then takes a message id. So within one conversation ids commit in
//! increasing order, and "what is newer than the last id I have" never skips a message.
//! (SQLite has one writer at a time, which gives the same.)

pub mod alerts;
pub mod live;
pub mod patient;
pub mod staff;
pub mod store;
pub mod stream;
pub mod view;

use chrono_tz::Tz;

use crate::{
    error::{AppError, AppResult},
    model::messages::MessageView,
    ssr::{budget::Budget, schedule::format_instant},
};

pub const NOT_FOUND: &str = "We could not find that conversation.";
pub const CLOSED: &str =
    "This conversation was closed by the practice. Start a new message if you need anything else.";

/// New conversations per record per day (5 unless the practice configures it).
pub fn new_per_record(limit: i64) -> Budget {
    Budget {
        limit,
        window_secs: crate::ssr::budget::DAY,
    }
}
/// Messages per account per day; per minute is configured (10 unless set).
pub const PER_DAY: Budget = Budget {
    limit: 100,
    window_secs: crate::ssr::budget::DAY,
};

/// Who is looking: a portal account, or a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Account(i64),
    Staff(i64),
}

impl Viewer {
    pub fn reader(self) -> (&'static str, i64) {
        match self {
            Viewer::Account(id) => ("account", id),
            Viewer::Staff(id) => ("staff", id),
        }
    }
}

/// The date part of an instant in the practice's zone ("Dec 1, 2026").
pub fn format_date(ts: i64, zone: Tz) -> String {
    match chrono::DateTime::<chrono::Utc>::from_timestamp(ts, 0) {
        Some(t) => t.with_timezone(&zone).format("%b %-d, %Y").to_string(),
        None => String::new(),
    }
}

/// One message as `viewer` may see it.
pub fn view_message(
    m: &store::Msg,
    viewer: Viewer,
    p: &store::Practice,
    staff_admin: bool,
) -> MessageView {
    let from_practice = m.author_staff_id.is_some();
    let mine = match viewer {
        Viewer::Account(id) => m.author_account_id == Some(id),
        Viewer::Staff(id) => m.author_staff_id == Some(id),
    };
    let author = match (viewer, from_practice) {
        (Viewer::Account(_), true) if p.care_team => "Care team".to_string(),
        (Viewer::Account(_), true) => format!("{} · {}", m.author_name, p.name),
        (Viewer::Staff(_), true) => m.author_name.clone(),
        (_, false) if m.author_kind == "representative" => {
            format!("{} (representative)", m.author_name)
        }
        (_, false) => m.author_name.clone(),
    };
    let (body, withdrawn) = match (&m.withdrawn, viewer) {
        (None, _) => (Some(m.body.clone()), None),
        (Some(w), Viewer::Account(_)) => (
            None,
            Some(format!(
                "This message was withdrawn by the practice on {}.",
                format_date(w.at, p.zone)
            )),
        ),
        (Some(w), Viewer::Staff(_)) => (
            Some(m.body.clone()),
            Some(format!(
                "Marked as entered in error by {} on {}: {}",
                w.staff_name,
                format_instant(w.at, p.zone),
                w.reason
            )),
        ),
    };
    let can_withdraw = matches!(viewer, Viewer::Staff(_))
        && from_practice
        && m.withdrawn.is_none()
        && (mine || staff_admin);
    MessageView {
        id: m.id,
        author,
        from_practice,
        mine,
        body,
        at: format_instant(m.created_at, p.zone),
        withdrawn,
        can_withdraw,
    }
}

/// The error a spent allowance gives; what was typed stays in the form (and the draft).
pub fn too_many(which: &str) -> AppError {
    AppError::TooManyRequests(match which {
        "new" => "This record has started the most new conversations allowed in a day. Reply in an existing conversation, or call the practice.".into(),
        "minute" => "You are sending messages very quickly. Please wait a minute and send again — your message is still here.".into(),
        _ => "You have sent 100 messages today, the most allowed. Please call the practice if you need more help.".into(),
    })
}

/// Keys for the message allowances.
pub fn budget_keys(account: i64, per_minute: i64) -> [(String, Budget, &'static str); 2] {
    let minute = Budget {
        limit: per_minute,
        window_secs: 60,
    };
    [
        (format!("msg.minute:{account}"), minute, "minute"),
        (format!("msg.day:{account}"), PER_DAY, "day"),
    ]
}

pub fn not_found() -> AppError {
    AppError::NotFound(NOT_FOUND.into())
}

pub type Result<T> = AppResult<T>;
