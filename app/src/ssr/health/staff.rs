//! The practice's side of the health record: a chart's results and sharing them.

use sqlx::Row;

use super::{present, share};
use crate::{
    error::{AppError, AppResult},
    model::{
        health::{ChartResult, ChartResults},
        StaffRole,
    },
    ssr::{
        appointments::staff::{context, StaffCtx},
        audit::{self, Actor, Entry},
        outbox::{self, Channel},
        schedule::format_instant,
    },
};

fn may_share(ctx: &StaffCtx) -> bool {
    matches!(ctx.role, StaffRole::Admin | StaffRole::Provider)
}

/// The chart, when it is at the caller's practice; any other id is "not found".
async fn own_chart(ctx: &StaffCtx, chart: i64) -> AppResult<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM patient_charts WHERE id = $1 AND practice_id = $2")
            .bind(chart)
            .bind(ctx.practice_id)
            .fetch_optional(ctx.st.db.read())
            .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound("That patient could not be found.".into()))
}

/// Reports, and lab results outside any report, newest first.
pub async fn results(chart: i64) -> AppResult<ChartResults> {
    let ctx = context().await?;
    own_chart(&ctx, chart).await?;
    let zone = crate::ssr::messaging::store::practice(
        &mut *ctx.st.db.read().acquire().await?,
        ctx.practice_id,
    )
    .await?
    .zone;
    let rows = sqlx::query(
        "SELECT e.id, e.resource_type, e.section, e.title, e.recorded_on, e.status, e.shared_at, \
         COALESCE(s.display_name, '') FROM health_entries e \
         LEFT JOIN staff_accounts s ON s.id = e.shared_by \
         WHERE e.chart_id = $1 AND e.needs_sharing = 1 AND (e.resource_type = 'DiagnosticReport' \
           OR e.report_fhir_id IS NULL) \
         ORDER BY e.recorded_on DESC, e.id DESC",
    )
    .bind(chart)
    .fetch_all(ctx.st.db.read())
    .await?;
    let results = rows
        .iter()
        .map(|r| {
            let t: String = r.try_get(1)?;
            let section: String = r.try_get(2)?;
            let day: Option<String> = r.try_get(4)?;
            let shared_at: Option<i64> = r.try_get(6)?;
            let by: String = r.try_get(7)?;
            Ok(ChartResult {
                id: r.try_get(0)?,
                kind: match (t.as_str(), section.as_str()) {
                    ("DiagnosticReport", "imaging") => "Imaging report",
                    ("DiagnosticReport", _) => "Lab report",
                    _ => "Lab result",
                }
                .into(),
                title: r.try_get(3)?,
                date: day.as_deref().map(present::date).unwrap_or_default(),
                status: present::status(&r.try_get::<String, _>(5)?),
                shared: shared_at
                    .map(|at| format!("Shared by {by} on {}", format_instant(at, zone)))
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ChartResults {
        can_share: may_share(&ctx),
        results,
    })
}

/// Shares result `id` of `chart` with the patient, and tells every account that may see the
/// record that a new result is available (the email never holds the result).
pub async fn share_result(chart: i64, id: i64) -> AppResult<()> {
    let ctx = context().await?;
    if !may_share(&ctx) {
        return Err(AppError::Forbidden);
    }
    own_chart(&ctx, chart).await?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    if !share::share(&mut tx, chart, id, ctx.staff_id, now).await? {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM health_entries WHERE id = $1 AND chart_id = $2 AND needs_sharing = 1",
        )
        .bind(id)
        .bind(chart)
        .fetch_optional(&mut *tx)
        .await?;
        return match exists {
            Some(_) => Ok(()),
            None => Err(AppError::NotFound("That result could not be found.".into())),
        };
    }
    let practice: String = sqlx::query_scalar("SELECT name FROM practices WHERE id = $1")
        .bind(ctx.practice_id)
        .fetch_one(&mut *tx)
        .await?;
    let recipients = sqlx::query(
        "SELECT a.id, a.email FROM account_charts ac JOIN portal_accounts a ON a.id = ac.account_id \
         WHERE ac.chart_id = $1 AND a.status = 'active' AND a.email <> ''",
    )
    .bind(chart)
    .fetch_all(&mut *tx)
    .await?;
    let subject = format!("A new result is available from {practice}");
    let body = format!(
        "{practice} has shared a new result with you. Sign in to see it:\n{}/health-record\n\n\
         For your privacy, this email does not include the result.",
        ctx.st.config.base_url.trim_end_matches('/')
    );
    for r in recipients {
        let account: i64 = r.try_get(0)?;
        let email: String = r.try_get(1)?;
        let key = format!("result-shared:{id}:{account}");
        outbox::enqueue(
            &mut tx,
            now,
            outbox::Message {
                channel: Channel::Email,
                to: &email,
                subject: &subject,
                body: &body,
                dedupe_key: Some(&key),
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action: "health.share",
            chart_id: Some(chart),
            client: Some(&ctx.client),
            detail: &format!("entry {id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
