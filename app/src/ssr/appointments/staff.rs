//! The staff side: the request queue, the decisions, the schedule, hours and policies. Staff
//! see only their own practice; anything else is "not found".

use chrono::{Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use sqlx::Row;

use super::{
    availability,
    booking::time_only,
    patient::{self, summaries},
    store::{self, Appointment},
    transition::{self, By, Change},
    NOT_FOUND, REASON_MAX,
};
use crate::{
    domain::{
        appointment::{self, Action, State},
        policy::{Approval, Policy},
    },
    error::{AppError, AppResult, FieldError},
    model::{
        appointments::{
            DayHours, HoursForm, Named, PolicyForm, Queue, QueueItem, RequestKind, ScheduleDay,
            ScheduleEntry, ScheduleView, StaffAppointment,
        },
        StaffRole,
    },
    ssr::{
        audit::{self, Entry},
        request::{self, state},
        schedule::{format_instant, local_date},
        session::Principal,
        state::AppState,
    },
};

pub struct StaffCtx {
    pub st: AppState,
    pub staff_id: i64,
    pub practice_id: i64,
    /// Read with the session, like the role.
    pub practice_name: String,
    pub name: String,
    pub role: StaffRole,
    pub client: String,
}

impl StaffCtx {
    fn by(&self) -> By {
        By::Staff {
            staff_id: self.staff_id,
            name: self.name.clone(),
            role: self.role,
        }
    }

    fn now(&self) -> i64 {
        self.st.clock.now()
    }

    fn entry<'a>(&'a self, action: &'a str, chart: Option<i64>, detail: &'a str) -> Entry<'a> {
        Entry {
            actor: audit::Actor::Staff(self.staff_id),
            action,
            chart_id: chart,
            client: Some(&self.client),
            detail,
        }
    }

    /// Record that this staff member read or did `action`, outside any other write.
    pub async fn audit(&self, action: &str, chart: Option<i64>, detail: &str) -> AppResult<()> {
        audit::record_alone(&self.st.db, self.now(), self.entry(action, chart, detail)).await?;
        Ok(())
    }

    /// The same, inside the caller's transaction.
    pub async fn audit_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        action: &str,
        chart: Option<i64>,
        detail: &str,
    ) -> AppResult<()> {
        audit::record(conn, self.now(), self.entry(action, chart, detail)).await?;
        Ok(())
    }

    async fn act(&self, a: &Appointment, change: &Change) -> AppResult<State> {
        transition::apply(&self.st.db, a, &self.by(), change, self.now(), &self.client).await
    }
}

pub async fn context() -> AppResult<StaffCtx> {
    let st = state()?;
    let client = request::client_key(&st.config);
    context_for(st, request::session(), client).await
}

/// The staff member of `session`, for handlers outside a server function (downloads).
pub async fn context_for(
    st: AppState,
    session: Option<crate::ssr::session::Session>,
    client: String,
) -> AppResult<StaffCtx> {
    let s = session.ok_or(AppError::Unauthorized)?;
    let Principal::Staff(staff_id) = s.principal else {
        return Err(AppError::Forbidden);
    };
    // Read with the session in this request, so a deactivation or a role change applies at once.
    let (holder, staff) = s.staff().ok_or(AppError::Unauthorized)?;
    Ok(StaffCtx {
        st,
        staff_id,
        practice_id: staff.practice_id,
        practice_name: staff.practice_name.clone(),
        name: holder.display_name.clone(),
        role: StaffRole::parse(&staff.role).unwrap_or(StaffRole::FrontDesk),
        client,
    })
}

fn practice(ctx: &StaffCtx) -> Named {
    Named {
        id: ctx.practice_id,
        name: ctx.practice_name.clone(),
    }
}

/// The practice's providers, by name.
pub async fn providers(ctx: &StaffCtx) -> AppResult<Vec<Named>> {
    let rows = sqlx::query(
        "SELECT id, display_name FROM providers WHERE practice_id = $1 ORDER BY display_name",
    )
    .bind(ctx.practice_id)
    .fetch_all(ctx.st.db.read())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Named {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

async fn own_provider(ctx: &StaffCtx, provider_id: i64) -> AppResult<Named> {
    providers(ctx)
        .await?
        .into_iter()
        .find(|p| p.id == provider_id)
        .ok_or_else(|| AppError::NotFound("We could not find that provider.".into()))
}

/// Open requests shown on one page of the queue; the rest are a page away.
pub const QUEUE_PAGE: i64 = 50;

/// The open requests of practice $1, of every provider ($2 = 0) or one. The state list is
/// word for word the predicate of the partial index `appointments_open_requests`, which both
/// databases match by its text.
const QUEUE_OPEN: &str = "a.practice_id = $1 AND a.state IN ('requested', 'cancellation_requested', 'reschedule_requested') \
     AND ($2 = 0 OR a.provider_id = $2)";

/// The queue's counts by kind.
pub fn queue_counts_sql() -> String {
    format!("SELECT a.state, COUNT(*) FROM appointments a WHERE {QUEUE_OPEN} GROUP BY a.state")
}

/// A page of the queue, oldest change first: $3 one kind's state or '', $4 limit, $5 offset.
pub fn queue_sql() -> String {
    format!(
        "{} WHERE {QUEUE_OPEN} AND ($3 = '' OR a.state = $3) ORDER BY a.updated_at, a.id LIMIT $4 OFFSET $5",
        store::SELECT
    )
}

/// Open requests at the staff member's practice, oldest first, a page at a time, with counts
/// by kind over all of them.
pub async fn queue(
    practice_id: Option<i64>,
    provider_id: Option<i64>,
    kind: Option<RequestKind>,
    page: i64,
) -> AppResult<Queue> {
    let ctx = context().await?;
    if practice_id.is_some_and(|p| p != ctx.practice_id) {
        return Err(AppError::NotFound(
            "We could not find that practice.".into(),
        ));
    }
    let page = page.max(1);
    let by_state: Vec<(String, i64)> = sqlx::query_as(&queue_counts_sql())
        .bind(ctx.practice_id)
        .bind(provider_id.unwrap_or(0))
        .fetch_all(ctx.st.db.read())
        .await?;
    let count_of = |k: RequestKind| {
        by_state
            .iter()
            .find(|(s, _)| s == k.state().as_str())
            .map_or(0, |(_, n)| *n)
    };
    let counts: Vec<(RequestKind, i64)> = RequestKind::ALL
        .into_iter()
        .map(|k| (k, count_of(k)))
        .collect();
    let total = match kind {
        Some(k) => count_of(k),
        None => counts.iter().map(|(_, n)| n).sum(),
    };
    let rows = sqlx::query(&queue_sql())
        .bind(ctx.practice_id)
        .bind(provider_id.unwrap_or(0))
        .bind(kind.map_or("", |k| k.state().as_str()))
        .bind(QUEUE_PAGE + 1)
        .bind((page - 1) * QUEUE_PAGE)
        .fetch_all(ctx.st.db.read())
        .await?;
    let mut shown = rows
        .iter()
        .map(store::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = shown.len() as i64 > QUEUE_PAGE;
    shown.truncate(QUEUE_PAGE as usize);
    // When and why each request was made: the latest event of each shown, in one query rather
    // than one per row. The ids are the database's own integers, so listing them is safe.
    let ids = shown
        .iter()
        .map(|a| a.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let latest: std::collections::HashMap<i64, (i64, String)> = if ids.is_empty() {
        Default::default()
    } else {
        sqlx::query_as::<_, (i64, i64, String)>(&format!(
            "SELECT e.appointment_id, e.occurred_at, e.reason FROM appointment_events e WHERE e.id IN \
             (SELECT MAX(e2.id) FROM appointment_events e2 WHERE e2.appointment_id IN ({ids}) \
              GROUP BY e2.appointment_id)"
        ))
        .fetch_all(ctx.st.db.read())
        .await?
        .into_iter()
        .map(|(id, at, reason)| (id, (at, reason)))
        .collect()
    };
    let mut items = Vec::new();
    for a in &shown {
        let (asked_at, reason) = latest
            .get(&a.id)
            .cloned()
            .unwrap_or((a.starts_at, String::new()));
        let Some(k) = RequestKind::of(a.state) else {
            continue;
        };
        items.push(QueueItem {
            summary: summaries(std::slice::from_ref(a)).remove(0),
            kind: k,
            asked: format_instant(asked_at, a.zone),
            visit_reason: a.visit_reason.clone(),
            request_reason: if k == RequestKind::Booking {
                String::new()
            } else {
                reason
            },
        });
    }
    Ok(Queue {
        practice: practice(&ctx),
        providers: providers(&ctx).await?,
        counts,
        items,
        total,
        page,
        has_more,
    })
}

/// The appointment if it belongs to the staff member's practice; otherwise "not found",
/// audited.
async fn own(ctx: &StaffCtx, id: i64) -> AppResult<Appointment> {
    let mut conn = ctx.st.db.read().acquire().await?;
    let found = store::load(&mut conn, id).await?;
    drop(conn);
    match found {
        Some(a) if a.practice_id == ctx.practice_id => Ok(a),
        other => {
            audit::record_alone(
                &ctx.st.db,
                ctx.now(),
                Entry {
                    actor: audit::Actor::Staff(ctx.staff_id),
                    action: "appointment.denied",
                    chart_id: other.map(|a| a.chart_id),
                    client: Some(&ctx.client),
                    detail: &format!("appointment:{id}"),
                },
            )
            .await?;
            Err(AppError::NotFound(NOT_FOUND.into()))
        }
    }
}

pub async fn detail(id: i64) -> AppResult<StaffAppointment> {
    let ctx = context().await?;
    let a = own(&ctx, id).await?;
    let born: String = sqlx::query_scalar("SELECT date_of_birth FROM patient_charts WHERE id = $1")
        .bind(a.chart_id)
        .fetch_one(ctx.st.db.read())
        .await?;
    let history = patient::history(&ctx.st, &a, true).await?;
    ctx.audit(
        "appointment.view",
        Some(a.chart_id),
        &format!("appointment {id}"),
    )
    .await?;
    Ok(StaffAppointment {
        summary: summaries(std::slice::from_ref(&a)).remove(0),
        provider_id: a.provider_id,
        ends_when: format_instant(a.ends_at, a.zone),
        visit_reason: a.visit_reason.clone(),
        patient_born: born,
        history,
        actions: appointment::actions_for(a.state, ctx.by().actor()),
        in_the_past: a.starts_at <= ctx.now(),
    })
}

fn checked_text(field: &str, text: &str) -> AppResult<String> {
    let t = text.trim();
    if t.chars().count() > REASON_MAX {
        return Err(AppError::field(
            field,
            format!("Please keep this to {REASON_MAX} characters or fewer."),
        ));
    }
    Ok(t.to_string())
}

/// The staff's answer to the appointment's open request: approve it or decline it.
fn answer(state: State, approve: bool) -> AppResult<Action> {
    Ok(match (state, approve) {
        (State::Requested, true) => Action::Confirm,
        (State::Requested, false) => Action::Decline,
        (State::CancellationRequested, true) => Action::ApproveCancellation,
        (State::CancellationRequested, false) => Action::DeclineCancellation,
        (State::RescheduleRequested, true) => Action::ApproveReschedule,
        (State::RescheduleRequested, false) => Action::DeclineReschedule,
        (other, _) => return Err(transition::not_now(other)),
    })
}

/// Approve whatever the appointment's open request asks for.
pub async fn approve(id: i64) -> AppResult<State> {
    let ctx = context().await?;
    let a = own(&ctx, id).await?;
    let action = answer(a.state, true)?;
    ctx.act(&a, &Change::plain(action)).await
}

/// Decline the open request, with a reason the patient will see.
pub async fn decline(id: i64, reason: String) -> AppResult<State> {
    let ctx = context().await?;
    let reason = checked_text("reason", &reason)?;
    let a = own(&ctx, id).await?;
    let action = answer(a.state, false)?;
    let change = Change {
        reason,
        ..Change::plain(action)
    };
    ctx.act(&a, &change).await
}

/// Propose a new time from the provider's free slots, with a reason and a note.
pub async fn propose(id: i64, start: i64, reason: String, note: String) -> AppResult<State> {
    let ctx = context().await?;
    let reason = checked_text("reason", &reason)?;
    let note = checked_text("note", &note)?;
    let a = own(&ctx, id).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let t = availability::template(&mut conn, a.provider_id).await?;
    drop(conn);
    let slot = t
        .as_ref()
        .and_then(|t| availability::slot_at(t, start))
        .filter(|s| s.start > ctx.now())
        .ok_or_else(|| {
            AppError::field("slot", "Please choose one of the provider's free times.")
        })?;
    let change = Change {
        reason,
        note,
        new_slot: Some((slot.start, slot.end)),
        ..Change::plain(Action::ProposeTime)
    };
    ctx.act(&a, &change).await
}

/// Mark a past confirmed appointment completed or missed.
pub async fn close(id: i64, no_show: bool) -> AppResult<State> {
    let ctx = context().await?;
    let a = own(&ctx, id).await?;
    let action = if no_show {
        Action::MarkNoShow
    } else {
        Action::Complete
    };
    ctx.act(&a, &Change::plain(action)).await
}

/// The provider's free times for proposing, over the next `days` days.
pub async fn free_times(id: i64, week: Option<String>) -> AppResult<Vec<(i64, String)>> {
    let ctx = context().await?;
    let a = own(&ctx, id).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let Some(t) = availability::template(&mut conn, a.provider_id).await? else {
        return Ok(Vec::new());
    };
    let today = local_date(ctx.now(), a.zone).unwrap_or_default();
    let from = week
        .and_then(|w| w.parse::<NaiveDate>().ok())
        .unwrap_or(today)
        .max(today);
    let slots =
        availability::free_slots(&mut conn, a.provider_id, &t, from, 14, ctx.now() + 1).await?;
    Ok(slots
        .into_iter()
        .map(|s| (s.start, format_instant(s.start, a.zone)))
        .collect())
}

/// A provider's day or week: every slot, free or booked, and appointments outside the slots.
pub async fn schedule(
    provider_id: Option<i64>,
    date: Option<String>,
    week: bool,
) -> AppResult<ScheduleView> {
    let ctx = context().await?;
    let list = providers(&ctx).await?;
    let provider_id = provider_id
        .or_else(|| list.first().map(|p| p.id))
        .ok_or_else(|| AppError::NotFound("This practice has no providers yet.".into()))?;
    own_provider(&ctx, provider_id).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let (_, zone) = availability::provider_zone(&mut conn, provider_id)
        .await?
        .ok_or_else(|| AppError::NotFound("We could not find that provider.".into()))?;
    let today = local_date(ctx.now(), zone).unwrap_or_default();
    let day = date
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(today);
    let (from, days) = if week {
        (availability::monday(day), 7)
    } else {
        (day, 1)
    };
    let template = availability::template(&mut conn, provider_id).await?;
    let slots = template
        .as_ref()
        .map(|t| crate::ssr::schedule::slots(t, from, days))
        .unwrap_or_default();
    // The range in UTC: local midnight to local midnight, whatever the day's length.
    let bound = |d: NaiveDate| crate::ssr::schedule::local_midnight(d, zone).unwrap_or_default();
    let (start, end) = (bound(from), bound(from + Duration::days(i64::from(days))));
    let rows = sqlx::query(&format!(
        "{} WHERE a.provider_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3 \
         AND a.state NOT IN ('cancelled', 'declined') ORDER BY a.starts_at",
        store::SELECT
    ))
    .bind(provider_id)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    let appts = rows
        .iter()
        .map(store::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let days_off = template
        .as_ref()
        .map(|t| t.days_off.clone())
        .unwrap_or_default();
    let out_days = from
        .iter_days()
        .take(days as usize)
        .map(|d| {
            let mut entries: Vec<(i64, ScheduleEntry)> = slots
                .iter()
                .filter(|s| s.date == d)
                .map(|s| {
                    let booked = appts.iter().find(|a| a.starts_at == s.start);
                    (
                        s.start,
                        ScheduleEntry {
                            time: time_only(s.start, zone),
                            appointment: booked
                                .map(|a| summaries(std::slice::from_ref(a)).remove(0)),
                        },
                    )
                })
                .collect();
            for a in appts.iter().filter(|a| {
                local_date(a.starts_at, zone) == Some(d)
                    && !slots.iter().any(|s| s.start == a.starts_at)
            }) {
                entries.push((
                    a.starts_at,
                    ScheduleEntry {
                        time: time_only(a.starts_at, zone),
                        appointment: Some(summaries(std::slice::from_ref(a)).remove(0)),
                    },
                ));
            }
            entries.sort_by_key(|e| e.0);
            ScheduleDay {
                label: d.format("%A, %B %-d, %Y").to_string(),
                date: d.to_string(),
                day_off: days_off.contains(&d),
                entries: entries.into_iter().map(|e| e.1).collect(),
            }
        })
        .collect();
    let step = Duration::days(i64::from(days));
    Ok(ScheduleView {
        providers: list,
        provider_id,
        week,
        date: from.to_string(),
        title: if week {
            format!("Week of {}", from.format("%B %-d, %Y"))
        } else {
            from.format("%A, %B %-d, %Y").to_string()
        },
        previous: (from - step).to_string(),
        next: (from + step).to_string(),
        zone: crate::ssr::appointments::booking::zone_abbreviation(start, zone),
        days: out_days,
    })
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "Monday"),
    (Weekday::Tue, "Tuesday"),
    (Weekday::Wed, "Wednesday"),
    (Weekday::Thu, "Thursday"),
    (Weekday::Fri, "Friday"),
    (Weekday::Sat, "Saturday"),
    (Weekday::Sun, "Sunday"),
];

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

pub async fn hours(provider_id: i64) -> AppResult<HoursForm> {
    let ctx = context().await?;
    let provider = own_provider(&ctx, provider_id).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let t = availability::template(&mut conn, provider_id).await?;
    let days = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, (wd, label))| {
            let open = t
                .as_ref()
                .and_then(|t| t.hours.iter().find(|h| h.weekday == *wd));
            let brk = t
                .as_ref()
                .and_then(|t| t.breaks.iter().find(|h| h.weekday == *wd));
            DayHours {
                weekday: i as u8,
                label: (*label).into(),
                start: open.map(|h| hhmm(h.start)).unwrap_or_default(),
                end: open.map(|h| hhmm(h.end)).unwrap_or_default(),
                break_start: brk.map(|h| hhmm(h.start)).unwrap_or_default(),
                break_end: brk.map(|h| hhmm(h.end)).unwrap_or_default(),
            }
        })
        .collect();
    let mut days_off: Vec<String> = t
        .as_ref()
        .map(|t| t.days_off.iter().map(|d| d.to_string()).collect())
        .unwrap_or_default();
    days_off.sort();
    Ok(HoursForm {
        provider,
        slot_minutes: t.as_ref().map_or(30, |t| t.slot_minutes),
        days,
        days_off,
    })
}

fn minutes(field: &str, s: &str) -> AppResult<Option<i64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map(|t| Some(i64::from(t.hour() * 60 + t.minute())))
        .map_err(|_| AppError::field(field, "Use a time like 09:00."))
}

/// Replace a provider's weekly hours and slot length. `days` holds, per weekday Monday
/// first, "start-end" and "break_start-break_end" as HH:MM (empty = closed / no break).
pub async fn save_hours(provider_id: i64, slot_minutes: i64, days: Vec<DayHours>) -> AppResult<()> {
    let ctx = context().await?;
    if ctx.role == StaffRole::FrontDesk {
        return Err(AppError::Forbidden);
    }
    own_provider(&ctx, provider_id).await?;
    if !(5..=240).contains(&slot_minutes) {
        return Err(AppError::field(
            "slot_minutes",
            "Choose a slot length between 5 and 240 minutes.",
        ));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for d in days.iter().filter(|d| d.weekday < 7) {
        let f = |n: &str| format!("{n}_{}", d.weekday);
        let parsed = (
            minutes(&f("start"), &d.start),
            minutes(&f("end"), &d.end),
            minutes(&f("break_start"), &d.break_start),
            minutes(&f("break_end"), &d.break_end),
        );
        match parsed {
            (Ok(s), Ok(e), Ok(bs), Ok(be)) => {
                match (s, e) {
                    (Some(s), Some(e)) if s < e => rows.push(("hours", d.weekday, s, e)),
                    (None, None) => {}
                    _ => problems.push(FieldError {
                        field: f("end"),
                        message: format!(
                            "{}: the closing time must be after the opening time.",
                            d.label
                        ),
                    }),
                }
                match (bs, be) {
                    (Some(bs), Some(be)) if bs < be => rows.push(("break", d.weekday, bs, be)),
                    (None, None) => {}
                    _ => problems.push(FieldError {
                        field: f("break_end"),
                        message: format!("{}: the break must end after it starts.", d.label),
                    }),
                }
            }
            (a, b, c, e) => {
                for r in [a, b, c, e] {
                    if let Err(AppError::Validation { fields, .. }) = r {
                        problems.extend(fields);
                    }
                }
            }
        }
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    let now = ctx.now();
    let mut tx = ctx.st.db.begin().await?;
    sqlx::query("DELETE FROM provider_hours WHERE provider_id = $1")
        .bind(provider_id)
        .execute(&mut *tx)
        .await?;
    for (kind, wd, s, e) in rows {
        sqlx::query("INSERT INTO provider_hours (provider_id, kind, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5)")
            .bind(provider_id)
            .bind(kind)
            .bind(i64::from(wd))
            .bind(s)
            .bind(e)
            .execute(&mut *tx)
            .await?;
    }
    let updated = sqlx::query(
        "UPDATE provider_schedules SET slot_minutes = $1, updated_at = $2 WHERE provider_id = $3",
    )
    .bind(slot_minutes)
    .bind(now)
    .bind(provider_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query("INSERT INTO provider_schedules (provider_id, slot_minutes, updated_at) VALUES ($1, $2, $3)")
            .bind(provider_id)
            .bind(slot_minutes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: audit::Actor::Staff(ctx.staff_id),
            action: "schedule.hours",
            chart_id: None,
            client: Some(&ctx.client),
            detail: &format!("provider:{provider_id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Add or remove a day off.
pub async fn day_off(provider_id: i64, day: String, off: bool) -> AppResult<()> {
    let ctx = context().await?;
    if ctx.role == StaffRole::FrontDesk {
        return Err(AppError::Forbidden);
    }
    own_provider(&ctx, provider_id).await?;
    let date: NaiveDate = day
        .trim()
        .parse()
        .map_err(|_| AppError::field("day", "Enter a date like 2026-12-24."))?;
    let now = ctx.now();
    let mut tx = ctx.st.db.begin().await?;
    if off {
        sqlx::query("INSERT INTO provider_days_off (provider_id, day) VALUES ($1, $2) ON CONFLICT (provider_id, day) DO NOTHING")
            .bind(provider_id)
            .bind(date.to_string())
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("DELETE FROM provider_days_off WHERE provider_id = $1 AND day = $2")
            .bind(provider_id)
            .bind(date.to_string())
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: audit::Actor::Staff(ctx.staff_id),
            action: if off {
                "schedule.day_off"
            } else {
                "schedule.day_on"
            },
            chart_id: None,
            client: Some(&ctx.client),
            detail: &format!("provider:{provider_id} {date}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn policy_form() -> AppResult<PolicyForm> {
    let ctx = context().await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let policy = store::practice_policy(&mut conn, ctx.practice_id)
        .await?
        .unwrap_or(Policy {
            online_booking: false,
            online_cancellation: false,
            online_rescheduling: false,
            booking_notice_hours: 24,
            cancellation_notice_hours: 24,
            reschedule_notice_hours: 24,
            cancellation_approval: Approval::Always,
            reschedule_approval: Approval::Always,
            late_cancellation_fee_cents: 0,
            no_show_fee_cents: 0,
        });
    drop(conn);
    Ok(PolicyForm {
        practice: practice(&ctx),
        policy,
        can_edit: ctx.role == StaffRole::Admin,
    })
}

/// Replace the practice's policy. Admins only. New bookings get it; existing ones keep theirs.
pub async fn save_policy(p: Policy) -> AppResult<()> {
    let ctx = context().await?;
    if ctx.role != StaffRole::Admin {
        audit::record_alone(
            &ctx.st.db,
            ctx.now(),
            Entry {
                actor: audit::Actor::Staff(ctx.staff_id),
                action: "policy.denied",
                chart_id: None,
                client: Some(&ctx.client),
                detail: "",
            },
        )
        .await?;
        return Err(AppError::Forbidden);
    }
    let mut problems = Vec::new();
    for (field, v) in [
        ("booking_notice_hours", p.booking_notice_hours),
        ("cancellation_notice_hours", p.cancellation_notice_hours),
        ("reschedule_notice_hours", p.reschedule_notice_hours),
    ] {
        if !(0..=720).contains(&v) {
            problems.push(FieldError {
                field: field.into(),
                message: "Enter a number of hours from 0 to 720.".into(),
            });
        }
    }
    for (field, v) in [
        ("late_cancellation_fee", p.late_cancellation_fee_cents),
        ("no_show_fee", p.no_show_fee_cents),
    ] {
        if !(0..=10_000_000).contains(&v) {
            problems.push(FieldError {
                field: field.into(),
                message: "Enter an amount from $0 to $100,000.".into(),
            });
        }
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    let now = ctx.now();
    let mut tx = ctx.st.db.begin().await?;
    store::save_policy(&mut tx, ctx.practice_id, None, &p, now).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: audit::Actor::Staff(ctx.staff_id),
            action: "policy.update",
            chart_id: None,
            client: Some(&ctx.client),
            detail: &format!("practice:{}", ctx.practice_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
