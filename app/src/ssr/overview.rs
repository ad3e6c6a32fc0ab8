//! The home pages' counts: what the practice has to do today, and what waits for a patient.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{
    error::AppResult,
    model::{
        appointments::RequestKind,
        overview::{PatientHome, StaffOverview, UnsharedResult, WaitingItem},
        StaffRole,
    },
    ssr::{
        activity::bounds,
        appointments::{
            patient::{self, summaries, HOLDING},
            staff,
            store::{self, zone},
        },
        messaging,
        schedule::local_date,
    },
};

/// How many unshared results the overview names; the count covers all of them.
const UNSHARED_LISTED: i64 = 10;

/// A result the patient cannot see yet: shared-only, not shared, not withdrawn, and a report
/// or a result outside any report (a report shares its results).
const UNSHARED: &str =
    "e.needs_sharing = 1 AND e.shared_at IS NULL AND e.status <> 'entered-in-error' \
     AND (e.resource_type = 'DiagnosticReport' OR e.report_fhir_id IS NULL)";

pub async fn staff_overview() -> AppResult<StaffOverview> {
    let ctx = staff::context().await?;
    let db = &ctx.st.db;
    let now = ctx.st.clock.now();
    let (practice, tz_name): (String, String) =
        sqlx::query_as("SELECT name, time_zone FROM practices WHERE id = $1")
            .bind(ctx.practice_id)
            .fetch_one(db.read())
            .await?;
    let tz = zone(&tz_name);
    let today = local_date(now, tz).map(|d| d.to_string());
    let (lo, hi) = bounds(today.as_deref(), today.as_deref(), tz);
    // A provider's account linked to a schedule sees that provider's day; everyone else the
    // practice's.
    let own: Option<(i64, String)> = if ctx.role == StaffRole::Provider {
        sqlx::query_as(
            "SELECT v.id, v.display_name FROM staff_accounts s JOIN providers v ON v.id = s.provider_id \
             WHERE s.id = $1",
        )
        .bind(ctx.staff_id)
        .fetch_optional(db.read())
        .await?
    } else {
        None
    };
    let rows = sqlx::query(&format!(
        "{} WHERE a.practice_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3 \
         AND ($4 = 0 OR a.provider_id = $4) \
         AND a.state NOT IN ('cancelled', 'declined') ORDER BY a.starts_at, a.id LIMIT 200",
        store::SELECT
    ))
    .bind(ctx.practice_id)
    .bind(lo)
    .bind(hi)
    .bind(own.as_ref().map_or(0, |o| o.0))
    .fetch_all(db.read())
    .await?;
    let visits = rows
        .iter()
        .map(store::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT state, COUNT(*) FROM appointments WHERE practice_id = $1 \
         AND state IN ('requested', 'cancellation_requested', 'reschedule_requested') GROUP BY state",
    )
    .bind(ctx.practice_id)
    .fetch_all(db.read())
    .await?;
    let requests = RequestKind::ALL
        .into_iter()
        .map(|k| {
            let n = counts
                .iter()
                .find(|(s, _)| s == k.state().as_str())
                .map_or(0, |(_, n)| *n);
            (k, n)
        })
        .collect();
    let unshared_total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM health_entries e JOIN patient_charts c ON c.id = e.chart_id \
         WHERE c.practice_id = $1 AND {UNSHARED}"
    ))
    .bind(ctx.practice_id)
    .fetch_one(db.read())
    .await?;
    let unshared = sqlx::query(&format!(
        "SELECT c.id, c.family_name || ', ' || c.given_name, e.title, COALESCE(e.recorded_on, '') \
         FROM health_entries e JOIN patient_charts c ON c.id = e.chart_id \
         WHERE c.practice_id = $1 AND {UNSHARED} ORDER BY e.created_at, e.id LIMIT $2"
    ))
    .bind(ctx.practice_id)
    .bind(UNSHARED_LISTED)
    .fetch_all(db.read())
    .await?
    .iter()
    .map(|r| {
        Ok(UnsharedResult {
            chart_id: r.try_get(0)?,
            patient: r.try_get(1)?,
            title: r.try_get(2)?,
            recorded_on: r.try_get(3)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let day = DateTime::<Utc>::from_timestamp(now, 0)
        .map(|t| t.with_timezone(&tz).format("%A, %B %-d").to_string())
        .unwrap_or_default();
    Ok(StaffOverview {
        day,
        today: summaries(&visits),
        today_of: own.map_or(practice, |o| o.1),
        requests,
        needs_reply: messaging::staff::needs_reply(db, ctx.practice_id).await?,
        unshared,
        unshared_total,
    })
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Results shared with record `$1` since account `$2` last opened its health record.
pub const NEW_RESULTS: &str =
    "SELECT COUNT(*) FROM health_entries e WHERE e.chart_id = $1 AND e.needs_sharing = 1 \
     AND e.shared_at IS NOT NULL AND e.status <> 'entered-in-error' \
     AND (e.resource_type = 'DiagnosticReport' OR e.report_fhir_id IS NULL) \
     AND e.shared_at > COALESCE((SELECT MAX(l.occurred_at) FROM audit_log l \
         WHERE l.actor_kind = 'patient' AND l.actor_id = $2 AND l.chart_id = $1 \
         AND l.action = 'health.view'), 0)";

pub async fn patient_home() -> AppResult<PatientHome> {
    let ctx = patient::context().await?;
    let Some(chart) = ctx.selected_chart().await? else {
        return Ok(PatientHome {
            next: None,
            waiting: Vec::new(),
        });
    };
    let db = &ctx.st.db;
    let now = ctx.st.clock.now();
    let upcoming = sqlx::query(&format!(
        "{} WHERE a.chart_id = $1 AND a.state IN {HOLDING} AND a.ends_at > $2 \
         ORDER BY a.starts_at, a.id LIMIT 50",
        store::SELECT
    ))
    .bind(chart)
    .bind(now)
    .fetch_all(db.read())
    .await?
    .iter()
    .map(store::from_row)
    .collect::<Result<Vec<_>, _>>()?;
    let list = summaries(&upcoming);
    let mut waiting: Vec<WaitingItem> = list
        .iter()
        .filter(|a| a.state == crate::domain::appointment::State::Proposed)
        .map(|a| WaitingItem {
            href: format!("/appointments/{}", a.id),
            text: format!(
                "The office proposed a new time with {}: {}. Accept or decline it.",
                a.provider_name,
                a.pending_when.clone().unwrap_or_else(|| a.when.clone())
            ),
        })
        .collect();
    let unread = messaging::patient::unread(db, ctx.account_id, chart).await?;
    if unread > 0 {
        waiting.push(WaitingItem {
            href: "/messages".into(),
            text: format!(
                "{} from your care team.",
                plural(unread, "new message", "new messages")
            ),
        });
    }
    // New since this account last opened the record: shared after its latest view of it.
    let new_results: i64 = sqlx::query_scalar(NEW_RESULTS)
        .bind(chart)
        .bind(ctx.account_id)
        .fetch_one(db.read())
        .await?;
    if new_results > 0 {
        waiting.push(WaitingItem {
            href: "/health-record".into(),
            text: format!(
                "{} in your health record.",
                plural(new_results, "new result", "new results")
            ),
        });
    }
    Ok(PatientHome {
        next: list.into_iter().next(),
        waiting,
    })
}
