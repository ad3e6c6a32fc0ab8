//! The patient's side: the list, the details, and the changes a patient may ask for.

use sqlx::Row;

use super::{
    booking,
    store::{self, Appointment},
    transition::{self, By, Change},
    NOT_FOUND, REASON_MAX,
};
use crate::{
    domain::{
        appointment::{actions_for, Action, Actor, State},
        policy,
    },
    error::{AppError, AppResult},
    model::appointments::{
        AppointmentDetail, AppointmentSummary, CancelReason, HistoryEntry, ListFilter,
    },
    ssr::{
        accounts,
        audit::{self, Entry},
        request::{self, state},
        schedule::format_instant,
        session::Principal,
        state::AppState,
    },
};

/// The signed-in patient, for appointment work.
pub struct PatientCtx {
    pub st: AppState,
    pub account_id: i64,
    /// The record chosen in the switcher, if any (see `selected_chart`).
    chosen_chart: Option<i64>,
    pub client: String,
}

impl PatientCtx {
    /// The account holder's name, as the history records who acted.
    pub async fn name(&self) -> AppResult<String> {
        let mut conn = self.st.db.read().acquire().await?;
        Ok(store::account_name(&mut conn, self.account_id).await?)
    }

    /// Record that the patient read `action` of `chart`.
    pub async fn audit(&self, action: &str, chart: i64, detail: &str) -> AppResult<()> {
        audit::record_alone(
            &self.st.db,
            self.st.clock.now(),
            Entry {
                actor: audit::Actor::Patient(self.account_id),
                action,
                chart_id: Some(chart),
                client: Some(&self.client),
                detail,
            },
        )
        .await?;
        Ok(())
    }

    /// The record chosen in the switcher, or the first linked one.
    pub async fn selected_chart(&self) -> AppResult<Option<i64>> {
        Ok(accounts::viewing(&self.st.db, self.account_id, self.chosen_chart).await?)
    }
}

pub async fn context() -> AppResult<PatientCtx> {
    let st = state()?;
    let s = request::session().ok_or(AppError::Unauthorized)?;
    let Principal::Patient(account_id) = s.principal else {
        return Err(AppError::Forbidden);
    };
    let client = request::client_key(&st.config);
    Ok(PatientCtx {
        st,
        account_id,
        chosen_chart: s.selected_chart_id,
        client,
    })
}

fn summary(a: &Appointment) -> AppointmentSummary {
    AppointmentSummary {
        id: a.id,
        state: a.state,
        when: format_instant(a.starts_at, a.zone),
        starts_at: a.starts_at,
        pending_when: a.pending_starts_at.map(|p| format_instant(p, a.zone)),
        provider_name: a.provider_name.clone(),
        practice_name: a.practice_name.clone(),
        patient_name: a.patient_name.clone(),
        can_cancel: false,
        can_reschedule: false,
    }
}

/// What the patient may start from the list: cancelling (a request, or a confirmed visit
/// within the policy) and rescheduling (within the policy), exactly as the page offers them.
fn with_offers(a: &Appointment, now: i64) -> AppointmentSummary {
    let offers = actions_for(a.state, Actor::Patient);
    let has = |x: Action| offers.contains(&x);
    let mut s = summary(a);
    s.can_cancel = has(Action::CancelRequest)
        || (has(Action::RequestCancellation)
            && policy::cancellation(&a.policy, a.starts_at, now).is_ok());
    s.can_reschedule = (has(Action::RequestReschedule)
        && policy::reschedule(&a.policy, a.starts_at, now).is_ok())
        || (has(Action::ChangeRequestedTime) && a.starts_at > now);
    s
}

pub fn summaries(list: &[Appointment]) -> Vec<AppointmentSummary> {
    list.iter().map(summary).collect()
}

pub const PENDING: &str =
    "('requested', 'cancellation_requested', 'reschedule_requested', 'proposed')";
pub const HOLDING: &str =
    "('requested', 'confirmed', 'cancellation_requested', 'reschedule_requested', 'proposed')";

/// The selected record's appointments under `filter`.
pub async fn list(filter: ListFilter) -> AppResult<Vec<AppointmentSummary>> {
    let ctx = context().await?;
    let Some(chart) = ctx.selected_chart().await? else {
        return Ok(Vec::new());
    };
    let now = ctx.st.clock.now();
    let (cond, order) = match filter {
        ListFilter::Upcoming => (format!("a.state IN {HOLDING} AND a.ends_at > $2"), "ASC"),
        ListFilter::Pending => (format!("a.state IN {PENDING} AND a.ends_at > $2"), "ASC"),
        ListFilter::Canceled => (
            "a.state IN ('cancelled', 'declined') AND $2 = $2".to_string(),
            "DESC",
        ),
        ListFilter::Past => (
            "a.state NOT IN ('cancelled', 'declined') AND a.ends_at <= $2".to_string(),
            "DESC",
        ),
    };
    let sql = format!(
        "{} WHERE a.chart_id = $1 AND {cond} ORDER BY a.starts_at {order}, a.id LIMIT 200",
        store::SELECT
    );
    let rows = sqlx::query(&sql)
        .bind(chart)
        .bind(now)
        .fetch_all(ctx.st.db.read())
        .await?;
    let list = rows
        .iter()
        .map(store::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    ctx.audit("appointment.list", chart, filter.label()).await?;
    Ok(list.iter().map(|a| with_offers(a, now)).collect())
}

/// The appointment if the patient may see it, with whether they act as a representative.
/// Anything else is "not found", audited, so probing ids learns nothing.
pub async fn visible(ctx: &PatientCtx, id: i64) -> AppResult<(Appointment, bool)> {
    let mut conn = ctx.st.db.read().acquire().await?;
    let found = store::load(&mut conn, id).await?;
    let rel = match &found {
        Some(a) => store::relationship(&mut conn, ctx.account_id, a.chart_id).await?,
        None => None,
    };
    drop(conn);
    match (found, rel) {
        (Some(a), Some(rel)) => Ok((a, rel != "self")),
        (found, _) => {
            audit::record_alone(
                &ctx.st.db,
                ctx.st.clock.now(),
                Entry {
                    actor: audit::Actor::Patient(ctx.account_id),
                    action: "appointment.denied",
                    chart_id: found.map(|a| a.chart_id),
                    client: Some(&ctx.client),
                    detail: &format!("appointment:{id}"),
                },
            )
            .await?;
            Err(AppError::NotFound(NOT_FOUND.into()))
        }
    }
}

/// Apply a change as the signed-in patient (or their representative).
async fn act(
    ctx: &PatientCtx,
    a: &Appointment,
    representative: bool,
    change: &Change,
    now: i64,
) -> AppResult<State> {
    let by = By::Patient {
        account_id: ctx.account_id,
        name: ctx.name().await?,
        representative,
    };
    transition::apply(&ctx.st.db, a, &by, change, now, &ctx.client).await
}

pub async fn history(
    st: &AppState,
    a: &Appointment,
    for_staff: bool,
) -> AppResult<Vec<HistoryEntry>> {
    let rows = sqlx::query(
        "SELECT occurred_at, actor_kind, actor_name, action, reason, note, starts_at FROM appointment_events \
         WHERE appointment_id = $1 ORDER BY id",
    )
    .bind(a.id)
    .fetch_all(st.db.read())
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get(1)?;
            let name: String = r.try_get(2)?;
            let code: String = r.try_get(3)?;
            let at: i64 = r.try_get(6)?;
            let mut what = transition::history_label(&code).to_string();
            if matches!(
                code.as_str(),
                "book"
                    | "change_requested_time"
                    | "request_reschedule"
                    | "propose_time"
                    | "reschedule"
            ) {
                what = format!("{what}: {}", format_instant(at, a.zone));
            }
            let who = match kind.as_str() {
                // Patients see "The office"; staff see who on their team acted.
                "staff" if !for_staff => "The office".to_string(),
                "representative" => format!("{name} (representative)"),
                "system" => "Portico".to_string(),
                _ => name,
            };
            Ok(HistoryEntry {
                when: format_instant(r.try_get(0)?, a.zone),
                who,
                what,
                reason: r.try_get(4)?,
                note: r.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn detail(id: i64) -> AppResult<AppointmentDetail> {
    let ctx = context().await?;
    let (a, representative) = visible(&ctx, id).await?;
    let history = history(&ctx.st, &a, false).await?;
    ctx.audit("appointment.view", a.chart_id, &format!("appointment {id}"))
        .await?;
    Ok(AppointmentDetail {
        summary: summary(&a),
        ends_when: format_instant(a.ends_at, a.zone),
        visit_reason: a.visit_reason.clone(),
        practice_phone: a.practice_phone.clone(),
        policy: a.policy,
        now: ctx.st.clock.now(),
        actor: if representative {
            Actor::Representative
        } else {
            Actor::Patient
        },
        history,
    })
}

pub async fn cancel_reasons(st: &AppState) -> AppResult<Vec<CancelReason>> {
    let rows = sqlx::query("SELECT code, label FROM cancellation_reasons ORDER BY position")
        .fetch_all(st.db.read())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CancelReason {
                code: r.try_get(0)?,
                label: r.try_get(1)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The reason as stored: the list's label, or the patient's own words for "Other".
async fn cancel_reason_text(st: &AppState, code: &str, other: &str) -> AppResult<String> {
    let other = other.trim();
    if other.chars().count() > REASON_MAX {
        return Err(AppError::field(
            "other",
            format!("Please keep the reason to {REASON_MAX} characters or fewer."),
        ));
    }
    let reasons = cancel_reasons(st).await?;
    match reasons.iter().find(|r| r.code == code) {
        Some(r) if r.code == "other" => {
            if other.is_empty() {
                Err(AppError::field(
                    "other",
                    "Please tell the office your reason.",
                ))
            } else {
                Ok(other.to_string())
            }
        }
        Some(r) => Ok(r.label.clone()),
        None => Err(AppError::field("reason", "Please choose a reason.")),
    }
}

/// Cancel a pending request, at once.
pub async fn cancel_request(id: i64) -> AppResult<State> {
    let ctx = context().await?;
    let (a, rep) = visible(&ctx, id).await?;
    let now = ctx.st.clock.now();
    act(&ctx, &a, rep, &Change::plain(Action::CancelRequest), now).await
}

/// Cancel a confirmed appointment: a request, or at once where the policy allows.
pub async fn request_cancellation(id: i64, reason: String, other: String) -> AppResult<State> {
    let ctx = context().await?;
    let (a, rep) = visible(&ctx, id).await?;
    let now = ctx.st.clock.now();
    let text = cancel_reason_text(&ctx.st, &reason, &other).await?;
    if a.state != State::Confirmed {
        return Err(transition::not_now(a.state));
    }
    let terms = policy::cancellation(&a.policy, a.starts_at, now)
        .map_err(|n| AppError::invalid(n.message()))?;
    let change = Change {
        reason: text,
        instant: !terms.needs_approval,
        ..Change::plain(Action::RequestCancellation)
    };
    act(&ctx, &a, rep, &change, now).await
}

/// Move an appointment: a pending request changes its time; a confirmed one asks for the new
/// time (or moves at once where the policy allows).
pub async fn reschedule(id: i64, start: i64) -> AppResult<State> {
    let ctx = context().await?;
    let (a, rep) = visible(&ctx, id).await?;
    let now = ctx.st.clock.now();
    let (action, instant) = match a.state {
        State::Requested => (Action::ChangeRequestedTime, false),
        State::Confirmed => {
            let terms = policy::reschedule(&a.policy, a.starts_at, now)
                .map_err(|n| AppError::invalid(n.message()))?;
            (Action::RequestReschedule, !terms.needs_approval)
        }
        other => return Err(transition::not_now(other)),
    };
    let slot = booking::slot_for_move(&ctx, a.provider_id, start).await?;
    if slot.0 == a.starts_at {
        return Err(AppError::field(
            "slot",
            "That is already the appointment's time. Please choose a different time.",
        ));
    }
    policy::booking(
        &policy::Policy {
            online_booking: true,
            ..a.policy
        },
        slot.0,
        now,
    )
    .map_err(|n| AppError::field("slot", n.message()))?;
    let change = Change {
        new_slot: Some(slot),
        instant,
        ..Change::plain(action)
    };
    act(&ctx, &a, rep, &change, now).await
}

/// Answer the office's proposed time: accept it, or cancel altogether.
pub async fn answer_proposal(id: i64, accept: bool) -> AppResult<State> {
    let ctx = context().await?;
    let (a, rep) = visible(&ctx, id).await?;
    let now = ctx.st.clock.now();
    let action = if accept {
        Action::AcceptProposal
    } else {
        Action::RejectProposal
    };
    act(&ctx, &a, rep, &Change::plain(action), now).await
}
