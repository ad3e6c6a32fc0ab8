//! Every change to an appointment is one transaction: a conditional update on the version that
//! was read, the slot holds, the history event, the audit record and the notification. Of two
//! concurrent changes exactly one matches the version; the other changes nothing.

use sqlx::AnyConnection;

use super::{
    notify::{self, Notice},
    store::Appointment,
    CHANGED, TAKEN,
};
use crate::{
    domain::appointment::{self, Action, Actor, Refusal, Requirement, State, Supplied},
    error::{AppError, AppResult},
    ssr::{
        audit::{self, Entry},
        db::Db,
    },
};

/// Who is making a change.
#[derive(Debug, Clone)]
pub enum By {
    Patient {
        account_id: i64,
        name: String,
        representative: bool,
    },
    Staff {
        staff_id: i64,
        name: String,
        role: crate::model::StaffRole,
    },
}

impl By {
    pub fn actor(&self) -> Actor {
        match self {
            By::Patient {
                representative: false,
                ..
            } => Actor::Patient,
            By::Patient { .. } => Actor::Representative,
            By::Staff { role, .. } => Actor::Staff(*role),
        }
    }

    pub fn audit(&self) -> audit::Actor {
        match self {
            By::Patient { account_id, .. } => audit::Actor::Patient(*account_id),
            By::Staff { staff_id, .. } => audit::Actor::Staff(*staff_id),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            By::Patient {
                representative: false,
                ..
            } => "patient",
            By::Patient { .. } => "representative",
            By::Staff { .. } => "staff",
        }
    }

    fn id(&self) -> i64 {
        match self {
            By::Patient { account_id, .. } => *account_id,
            By::Staff { staff_id, .. } => *staff_id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            By::Patient { name, .. } | By::Staff { name, .. } => name,
        }
    }
}

/// A requested change.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: Action,
    pub reason: String,
    pub note: String,
    /// (start, end) of the new time, for actions that move the appointment.
    pub new_slot: Option<(i64, i64)>,
    /// The patient's request takes effect at once because the policy needs no approval.
    pub instant: bool,
}

impl Change {
    pub fn plain(action: Action) -> Change {
        Change {
            action,
            reason: String::new(),
            note: String::new(),
            new_slot: None,
            instant: false,
        }
    }
}

/// The refusal for an action the appointment's current state does not offer.
pub fn not_now(state: State) -> AppError {
    refusal(state, Refusal::NotFromThisState)
}

/// The message for a refusal by the state machine.
pub fn refusal(state: State, r: Refusal) -> AppError {
    match r {
        Refusal::NotFromThisState => AppError::Conflict(format!(
            "This can't be done now: the appointment is {}. Reload to see its current state.",
            state.label().to_lowercase()
        )),
        Refusal::NotYours => AppError::Forbidden,
        Refusal::Missing(Requirement::Reason) => AppError::field("reason", "Please give a reason."),
        Refusal::Missing(Requirement::Note) => {
            AppError::field("note", "Please add a note for the patient.")
        }
        Refusal::Missing(Requirement::NewSlot) => {
            AppError::field("slot", "Please choose a new time.")
        }
        Refusal::Missing(Requirement::InThePast) => {
            AppError::invalid("This appointment has not happened yet.")
        }
    }
}

/// Where the appointment ends up: state, booked time, and the time waiting for an answer.
struct Outcome {
    state: State,
    starts: (i64, i64),
    pending: Option<(i64, i64)>,
    /// Slot holds to add and to release.
    hold: Option<(i64, i64)>,
    release: Release,
    notice: Option<Notice>,
    /// The history's name for a request that took effect at once.
    instant_code: Option<&'static str>,
}

enum Release {
    Nothing,
    Start(i64),
    All,
}

fn outcome(a: &Appointment, c: &Change, to: State) -> Outcome {
    let booked = (a.starts_at, a.ends_at);
    let pending = a.pending_starts_at.zip(a.pending_ends_at);
    let base = Outcome {
        state: to,
        starts: booked,
        pending,
        hold: None,
        release: Release::Nothing,
        notice: None,
        instant_code: None,
    };
    match (c.action, c.new_slot) {
        (Action::ChangeRequestedTime, Some(new)) => Outcome {
            starts: new,
            hold: Some(new),
            release: Release::Start(a.starts_at),
            notice: Some(Notice::BookingReceived),
            ..base
        },
        (Action::RequestReschedule, Some(new)) if c.instant => Outcome {
            state: State::Confirmed,
            starts: new,
            pending: None,
            hold: Some(new),
            release: Release::Start(a.starts_at),
            notice: Some(Notice::Rescheduled),
            instant_code: Some("reschedule"),
        },
        (Action::RequestReschedule, Some(new)) => Outcome {
            pending: Some(new),
            hold: Some(new),
            notice: Some(Notice::RescheduleReceived),
            ..base
        },
        (Action::ProposeTime, Some(new)) => Outcome {
            pending: Some(new),
            hold: Some(new),
            notice: Some(Notice::TimeProposed),
            ..base
        },
        (Action::ApproveReschedule | Action::AcceptProposal, _) => Outcome {
            starts: pending.unwrap_or(booked),
            pending: None,
            release: Release::Start(a.starts_at),
            notice: Some(if c.action == Action::AcceptProposal {
                Notice::ProposalAccepted
            } else {
                Notice::RescheduleApproved
            }),
            ..base
        },
        (Action::DeclineReschedule, _) => Outcome {
            pending: None,
            release: pending.map_or(Release::Nothing, |p| Release::Start(p.0)),
            notice: Some(Notice::RescheduleDeclined),
            ..base
        },
        (Action::RequestCancellation, _) if c.instant => Outcome {
            state: State::Cancelled,
            release: Release::All,
            notice: Some(Notice::Cancelled),
            instant_code: Some("cancel"),
            ..base
        },
        (Action::RequestCancellation, _) => Outcome {
            notice: Some(Notice::CancellationReceived),
            ..base
        },
        (Action::CancelRequest | Action::RejectProposal, _) => Outcome {
            pending: None,
            release: Release::All,
            notice: Some(Notice::Cancelled),
            ..base
        },
        (Action::Decline, _) => Outcome {
            release: Release::All,
            notice: Some(Notice::BookingDeclined),
            ..base
        },
        (Action::ApproveCancellation, _) => Outcome {
            pending: None,
            release: Release::All,
            notice: Some(Notice::CancellationApproved),
            ..base
        },
        (Action::DeclineCancellation, _) => Outcome {
            notice: Some(Notice::CancellationDeclined),
            ..base
        },
        (Action::Confirm, _) => Outcome {
            notice: Some(Notice::BookingConfirmed),
            ..base
        },
        _ => base,
    }
}

/// Apply `c` to `a` (as read, at `a.version`) for `by`. Returns the new state.
pub async fn apply(
    db: &Db,
    a: &Appointment,
    by: &By,
    c: &Change,
    now: i64,
    client: &str,
) -> AppResult<State> {
    let supplied = Supplied {
        reason: !c.reason.trim().is_empty(),
        new_slot: c.new_slot.is_some(),
        note: !c.note.trim().is_empty(),
        in_the_past: a.starts_at <= now,
    };
    let to = appointment::transition(a.state, c.action, by.actor(), supplied)
        .map_err(|r| refusal(a.state, r))?;
    let o = outcome(a, c, to);

    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE appointments SET state = $1, starts_at = $2, ends_at = $3, pending_starts_at = $4, \
         pending_ends_at = $5, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
    )
    .bind(o.state.as_str())
    .bind(o.starts.0)
    .bind(o.starts.1)
    .bind(o.pending.map(|p| p.0))
    .bind(o.pending.map(|p| p.1))
    .bind(now)
    .bind(a.id)
    .bind(a.version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    match o.release {
        Release::Nothing => {}
        Release::Start(start) => {
            sqlx::query("DELETE FROM slot_holds WHERE appointment_id = $1 AND starts_at = $2")
                .bind(a.id)
                .bind(start)
                .execute(&mut *tx)
                .await?;
        }
        Release::All => {
            sqlx::query("DELETE FROM slot_holds WHERE appointment_id = $1")
                .bind(a.id)
                .execute(&mut *tx)
                .await?;
        }
    }
    if let Some((start, end)) = o.hold {
        if !hold(&mut tx, a.provider_id, (start, end), a.id).await? {
            return Err(AppError::Conflict(TAKEN.into()));
        }
    }
    let concerns = c.new_slot.map_or(o.starts.0, |s| s.0);
    event(
        &mut tx,
        EventRow {
            appointment_id: a.id,
            now,
            by,
            action: o.instant_code.unwrap_or(c.action.as_str()),
            from: Some(a.state),
            to: o.state,
            starts_at: concerns,
            reason: c.reason.trim(),
            note: c.note.trim(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: by.audit(),
            action: &format!("appointment.{}", c.action.as_str()),
            chart_id: Some(a.chart_id),
            client: Some(client),
            detail: &format!(
                "appointment:{} {}->{}",
                a.id,
                a.state.as_str(),
                o.state.as_str()
            ),
        },
    )
    .await?;
    if let Some(n) = o.notice {
        notify::queue(&mut tx, now, n, a, concerns, None).await?;
    }
    tx.commit().await?;
    Ok(o.state)
}

/// Take a slot for an appointment. False when another appointment holds it: the primary key
/// on (provider, start) decides, on both databases. A slot that merely overlaps another
/// appointment (after the provider's slot length changed) is refused too.
pub async fn hold(
    conn: &mut AnyConnection,
    provider_id: i64,
    (start, end): (i64, i64),
    appointment_id: i64,
) -> Result<bool, sqlx::Error> {
    // Held times never overlap one another, so only the latest one starting before `end` can
    // reach past `start`: one index seek on the primary key, however many bookings there are.
    let latest_end: Option<i64> = sqlx::query_scalar(
        "SELECT CASE WHEN h.starts_at = a.starts_at THEN a.ends_at ELSE a.pending_ends_at END \
         FROM slot_holds h JOIN appointments a ON a.id = h.appointment_id \
         WHERE h.provider_id = $1 AND h.starts_at < $3 AND h.appointment_id <> $2 \
         ORDER BY h.starts_at DESC LIMIT 1",
    )
    .bind(provider_id)
    .bind(appointment_id)
    .bind(end)
    .fetch_optional(&mut *conn)
    .await?
    .flatten();
    let overlapping = latest_end.is_some_and(|e| e > start);
    if overlapping {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO slot_holds (provider_id, starts_at, appointment_id) VALUES ($1, $2, $3) \
         ON CONFLICT (provider_id, starts_at) DO NOTHING",
    )
    .bind(provider_id)
    .bind(start)
    .bind(appointment_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct EventRow<'a> {
    pub appointment_id: i64,
    pub now: i64,
    pub by: &'a By,
    pub action: &'a str,
    pub from: Option<State>,
    pub to: State,
    pub starts_at: i64,
    pub reason: &'a str,
    pub note: &'a str,
}

/// How the history reads an event's action.
pub fn history_label(code: &str) -> &'static str {
    match code {
        "book" => "Requested the appointment",
        "cancel" => "Canceled the appointment",
        "reschedule" => "Rescheduled the appointment",
        other => Action::ALL
            .into_iter()
            .find(|a| a.as_str() == other)
            .map_or("Changed the appointment", Action::past_tense),
    }
}

/// One line of the appointment's history.
pub async fn event(conn: &mut AnyConnection, e: EventRow<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO appointment_events (appointment_id, occurred_at, actor_kind, actor_id, actor_name, action, from_state, to_state, starts_at, reason, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.appointment_id)
    .bind(e.now)
    .bind(e.by.kind())
    .bind(e.by.id())
    .bind(e.by.name())
    .bind(e.action)
    .bind(e.from.map(State::as_str))
    .bind(e.to.as_str())
    .bind(e.starts_at)
    .bind(e.reason)
    .bind(e.note)
    .execute(conn)
    .await?;
    Ok(())
}
