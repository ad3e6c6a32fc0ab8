//! Finding a provider, their free week, and booking a slot.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::Row;

use super::{
    availability,
    notify::{self, Notice},
    patient::{self, PatientCtx},
    store,
    transition::{self, By, EventRow},
    REASON_MAX, TAKEN,
};
use crate::ssr::schedule::Template;
use crate::{
    domain::{appointment::State, policy},
    error::{AppError, AppResult},
    model::appointments::{BookableFor, BookingDraft, DayView, ProviderCard, SlotView, WeekView},
    ssr::{
        audit::{self, Entry},
        schedule::{format_instant, local_date},
    },
};

/// Providers at the practices the account's records belong to, matching `query` by name or
/// specialty (case-insensitive; empty lists them all).
pub async fn find_providers(query: String) -> AppResult<Vec<ProviderCard>> {
    let ctx = patient::context().await?;
    let q = query.trim().to_lowercase();
    if q.chars().count() > 100 {
        return Err(AppError::field("q", "Please use a shorter search."));
    }
    let pattern = format!("%{}%", q.replace(['%', '_'], ""));
    let mut conn = ctx.st.db.read().acquire().await?;
    let rows = sqlx::query(
        "SELECT DISTINCT v.id FROM providers v \
         JOIN patient_charts c ON c.practice_id = v.practice_id \
         JOIN account_charts ac ON ac.chart_id = c.id AND ac.account_id = $1 \
         LEFT JOIN provider_specialties s ON s.provider_id = v.id \
         WHERE LOWER(v.display_name) LIKE $2 OR LOWER(COALESCE(s.specialty, '')) LIKE $2 \
         ORDER BY v.id",
    )
    .bind(ctx.account_id)
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(card(&mut conn, r.try_get(0)?).await?);
    }
    Ok(out)
}

async fn card(conn: &mut sqlx::AnyConnection, provider_id: i64) -> AppResult<ProviderCard> {
    Ok(card_parts(conn, provider_id).await?.0)
}

/// The card, with the policy and the schedule it was judged by (for callers that need them
/// too, so they are read once).
async fn card_parts(
    conn: &mut sqlx::AnyConnection,
    provider_id: i64,
) -> AppResult<(ProviderCard, Option<policy::Policy>, Option<Template>)> {
    let row = sqlx::query(
        "SELECT v.display_name, p.name FROM providers v JOIN practices p ON p.id = v.practice_id WHERE v.id = $1",
    )
    .bind(provider_id)
    .fetch_one(&mut *conn)
    .await?;
    let specialties: Vec<String> = sqlx::query_scalar(
        "SELECT specialty FROM provider_specialties WHERE provider_id = $1 ORDER BY specialty",
    )
    .bind(provider_id)
    .fetch_all(&mut *conn)
    .await?;
    let policy = store::policy_for(&mut *conn, provider_id).await?;
    let template = availability::template(&mut *conn, provider_id).await?;
    let has_schedule = template.as_ref().is_some_and(|t| !t.hours.is_empty());
    let not_bookable = match policy {
        Some(p) if !p.online_booking => Some(policy::NotOffered::OnlineBookingOff.message()),
        None => Some(policy::NotOffered::OnlineBookingOff.message()),
        _ if !has_schedule => Some(
            "This provider has no times open for online booking. Please call the office.".into(),
        ),
        _ => None,
    };
    let card = ProviderCard {
        id: provider_id,
        name: row.try_get(0)?,
        specialties,
        practice_name: row.try_get(1)?,
        not_bookable,
    };
    Ok((card, policy, template))
}

/// The provider, if the account has a record at their practice; else the same "not found" as
/// for a provider that does not exist.
async fn visible_provider(ctx: &PatientCtx, provider_id: i64) -> AppResult<(i64, Tz)> {
    let mut conn = ctx.st.db.read().acquire().await?;
    let visible: Option<i64> = sqlx::query_scalar(
        "SELECT v.practice_id FROM providers v JOIN patient_charts c ON c.practice_id = v.practice_id \
         JOIN account_charts ac ON ac.chart_id = c.id WHERE v.id = $1 AND ac.account_id = $2 LIMIT 1",
    )
    .bind(provider_id)
    .bind(ctx.account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(practice_id) = visible else {
        return Err(AppError::NotFound(
            "We could not find that provider.".into(),
        ));
    };
    let zone = availability::provider_zone(&mut conn, provider_id)
        .await?
        .map_or(Tz::UTC, |(_, z)| z);
    Ok((practice_id, zone))
}

pub fn time_only(ts: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|t| t.with_timezone(&zone).format("%-I:%M %p").to_string())
        .unwrap_or_default()
}

pub fn zone_abbreviation(ts: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|t| t.with_timezone(&zone).format("%Z").to_string())
        .unwrap_or_default()
}

/// The week (Monday to Sunday, practice-local) of free slots starting at or after `week`.
/// `exclude` is an appointment whose own holds do not count as taken (when moving it).
pub async fn week_view(
    ctx: &PatientCtx,
    provider_id: i64,
    week: Option<String>,
) -> AppResult<WeekView> {
    let (_, zone) = visible_provider(ctx, provider_id).await?;
    let now = ctx.st.clock.now();
    let mut conn = ctx.st.db.read().acquire().await?;
    let (provider, policy, template) = card_parts(&mut conn, provider_id).await?;
    let today = local_date(now, zone).unwrap_or_default();
    let this_week = availability::monday(today);
    let requested = week
        .as_deref()
        .and_then(|w| w.parse::<NaiveDate>().ok())
        .map(availability::monday)
        .unwrap_or(this_week)
        .max(this_week);
    // Far enough for any real booking, near enough to keep slot generation cheap.
    let requested = requested.min(this_week + Duration::weeks(52));
    let notice_hours = policy.map_or(0, |p| p.booking_notice_hours);
    let not_before = now + notice_hours * 3600;
    let template = template.filter(|_| provider.not_bookable.is_none());
    let mut requested = requested;
    let mut slots = Vec::new();
    if let Some(t) = &template {
        // Without a chosen week, open on the first of the next eight that has a free time.
        let tries = if week.is_none() { 8 } else { 1 };
        for _ in 0..tries {
            slots = availability::free_slots(
                &mut conn,
                provider_id,
                t,
                requested,
                7,
                not_before.max(now + 1),
            )
            .await?;
            if !slots.is_empty() {
                break;
            }
            requested += Duration::weeks(1);
        }
        if slots.is_empty() && tries > 1 {
            requested = this_week;
        }
    }
    let days = requested
        .iter_days()
        .take(7)
        .map(|d| DayView {
            label: d.format("%a, %b %-d").to_string(),
            date: d.to_string(),
            slots: slots
                .iter()
                .filter(|s| s.date == d)
                .map(|s| SlotView {
                    start: s.start,
                    time: time_only(s.start, zone),
                    when: format_instant(s.start, zone),
                })
                .collect(),
        })
        .collect();
    let mut notes = vec![format!(
        "Times are in the office's time zone ({}).",
        zone_abbreviation(now, zone)
    )];
    if notice_hours > 0 {
        notes.push(format!(
            "Online bookings need at least {notice_hours} hours' notice; sooner times are not shown."
        ));
    }
    let sunday = requested + Duration::days(6);
    Ok(WeekView {
        provider,
        week: requested.to_string(),
        week_label: format!(
            "{} – {}",
            requested.format("%b %-d"),
            sunday.format("%b %-d, %Y")
        ),
        previous_week: (requested > this_week)
            .then(|| (requested - Duration::weeks(1)).to_string()),
        next_week: (requested + Duration::weeks(1)).to_string(),
        days,
        notes,
    })
}

/// The people the account may book for at the provider's practice.
async fn people(ctx: &PatientCtx, practice_id: i64) -> AppResult<Vec<BookableFor>> {
    let rows = sqlx::query(
        "SELECT c.id, c.given_name, c.family_name, ac.relationship FROM account_charts ac \
         JOIN patient_charts c ON c.id = ac.chart_id WHERE ac.account_id = $1 AND c.practice_id = $2 \
         ORDER BY CASE ac.relationship WHEN 'self' THEN 0 ELSE 1 END, c.given_name",
    )
    .bind(ctx.account_id)
    .bind(practice_id)
    .fetch_all(ctx.st.db.read())
    .await?;
    rows.iter()
        .map(|r| {
            let given: String = r.try_get(1)?;
            let family: String = r.try_get(2)?;
            let rel: String = r.try_get(3)?;
            Ok(BookableFor {
                record_id: r.try_get(0)?,
                label: if rel == "self" {
                    format!("Myself ({given} {family})")
                } else {
                    format!("{given} {family} (you represent)")
                },
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Check that `start` is a bookable slot of the provider now, under the provider's policy;
/// returns it with that policy.
async fn bookable_slot(
    ctx: &PatientCtx,
    provider_id: i64,
    start: i64,
) -> AppResult<(i64, i64, policy::Policy)> {
    let (start, end) = grid_slot(ctx, provider_id, start).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let policy = store::policy_for(&mut conn, provider_id)
        .await?
        .ok_or_else(|| AppError::invalid(policy::NotOffered::OnlineBookingOff.message()))?;
    policy::booking(&policy, start, ctx.st.clock.now())
        .map_err(|n| AppError::field("slot", n.message()))?;
    Ok((start, end, policy))
}

/// `start` must be one of the provider's future slots (taken or not: the hold decides that).
async fn grid_slot(ctx: &PatientCtx, provider_id: i64, start: i64) -> AppResult<(i64, i64)> {
    let now = ctx.st.clock.now();
    let mut conn = ctx.st.db.read().acquire().await?;
    let template = availability::template(&mut conn, provider_id).await?;
    let slot = template
        .as_ref()
        .and_then(|t| availability::slot_at(t, start))
        .ok_or_else(|| {
            AppError::field("slot", "That time is not one of this provider's appointment times. Please choose a time from the list.")
        })?;
    if slot.start <= now {
        return Err(AppError::field(
            "slot",
            "That time has already passed. Please choose a later time.",
        ));
    }
    Ok((slot.start, slot.end))
}

/// The confirmation step: the slot must still be valid (it may have gone since the list).
pub async fn draft(provider_id: i64, start: i64) -> AppResult<BookingDraft> {
    let ctx = patient::context().await?;
    let (practice_id, zone) = visible_provider(&ctx, provider_id).await?;
    let (start, _, _) = bookable_slot(&ctx, provider_id, start).await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let provider = card(&mut conn, provider_id).await?;
    let people = people(&ctx, practice_id).await?;
    let selected = ctx
        .selected_chart()
        .await?
        .filter(|c| people.iter().any(|p| p.record_id == *c))
        .or_else(|| people.first().map(|p| p.record_id));
    Ok(BookingDraft {
        provider,
        start,
        when: format_instant(start, zone),
        people,
        selected_record_id: selected,
    })
}

/// Book `start` with `provider_id` for `record_id`. Returns the new appointment's id.
pub async fn book(provider_id: i64, start: i64, record_id: i64, reason: String) -> AppResult<i64> {
    let ctx = patient::context().await?;
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "Please tell the office the reason for your visit.",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::field(
            "reason",
            format!("Please keep the reason to {REASON_MAX} characters or fewer."),
        ));
    }
    // The record must be linked to the account and belong to the provider's practice.
    // With what the confirmation email needs, so the write transaction stays short.
    let found = sqlx::query(
        "SELECT ac.relationship, v.practice_id, p.time_zone, v.display_name, p.name, p.phone, \
         c.given_name, c.family_name, c.email, a.display_name FROM account_charts ac \
         JOIN portal_accounts a ON a.id = ac.account_id \
         JOIN patient_charts c ON c.id = ac.chart_id \
         JOIN providers v ON v.practice_id = c.practice_id AND v.id = $3 \
         JOIN practices p ON p.id = v.practice_id \
         WHERE ac.account_id = $1 AND ac.chart_id = $2",
    )
    .bind(ctx.account_id)
    .bind(record_id)
    .bind(provider_id)
    .fetch_optional(ctx.st.db.read())
    .await?;
    let found = found
        .map(|r| -> Result<_, sqlx::Error> {
            let zone: String = r.try_get(2)?;
            let given: String = r.try_get(6)?;
            let family: String = r.try_get(7)?;
            Ok((
                r.try_get::<String, _>(0)?,
                r.try_get::<i64, _>(1)?,
                (
                    store::zone(&zone),
                    r.try_get::<String, _>(3)?,
                    r.try_get::<String, _>(4)?,
                    r.try_get::<String, _>(5)?,
                    format!("{given} {family}"),
                    r.try_get::<String, _>(8)?,
                ),
                r.try_get::<String, _>(9)?,
            ))
        })
        .transpose()?;
    let Some((relationship, practice_id, shown, name)) = found else {
        return Err(AppError::field(
            "record_id",
            "Please choose who the appointment is for.",
        ));
    };
    let (start, end, policy) = bookable_slot(&ctx, provider_id, start).await?;
    let now = ctx.st.clock.now();
    let by = By::Patient {
        account_id: ctx.account_id,
        name,
        representative: relationship != "self",
    };
    let policy_json = serde_json::to_string(&policy).map_err(AppError::internal)?;
    let (zone, provider_name, practice_name, practice_phone, patient_name, email) = shown;
    let appt = store::Appointment {
        id: 0,
        chart_id: record_id,
        practice_id,
        provider_id,
        starts_at: start,
        ends_at: end,
        pending_starts_at: None,
        pending_ends_at: None,
        state: State::Requested,
        visit_reason: reason.clone(),
        policy,
        version: 1,
        zone,
        provider_name,
        practice_name,
        practice_phone,
        patient_name,
        email,
    };

    let mut tx = ctx.st.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO appointments (chart_id, practice_id, provider_id, starts_at, ends_at, state, visit_reason, policy, booked_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(record_id)
    .bind(practice_id)
    .bind(provider_id)
    .bind(start)
    .bind(end)
    .bind(&reason)
    .bind(&policy_json)
    .bind(ctx.account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if !transition::hold(&mut tx, provider_id, (start, end), id).await? {
        return Err(AppError::Conflict(TAKEN.into()));
    }
    transition::event(
        &mut tx,
        EventRow {
            appointment_id: id,
            now,
            by: &by,
            action: "book",
            from: None,
            to: State::Requested,
            starts_at: start,
            reason: "",
            note: "",
        },
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: by.audit(),
            action: "appointment.book",
            chart_id: Some(record_id),
            client: Some(&ctx.client),
            detail: &format!("appointment:{id}"),
        },
    )
    .await?;
    notify::queue(&mut tx, now, Notice::BookingReceived, &appt, start, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// A new slot for moving an existing appointment: valid, in the future, free (or its own).
pub async fn slot_for_move(
    ctx: &PatientCtx,
    provider_id: i64,
    start: i64,
) -> AppResult<(i64, i64)> {
    grid_slot(ctx, provider_id, start).await
}
