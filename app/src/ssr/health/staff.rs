//! The practice's side of the health record: a chart's results and sharing them.

use sqlx::Row;

use super::{present, share};
use crate::{
    error::{AppError, AppResult},
    model::{
        health::{ChartEntry, ChartResult, ChartResults, ImportOutcome, Section},
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

/// A chart of the caller's practice, as the staff pages name it.
pub(super) struct OwnChart {
    pub patient_name: String,
    pub date_of_birth: String,
    pub zone: chrono_tz::Tz,
}

impl OwnChart {
    /// Today in the practice's zone, as an ISO day.
    pub fn today(&self, now: i64) -> String {
        chrono::DateTime::from_timestamp(now, 0)
            .map(|t| t.with_timezone(&self.zone).date_naive().to_string())
            .unwrap_or_default()
    }
}

/// The chart when it is at the caller's practice; any other id is "not found".
pub(super) async fn own_chart(ctx: &StaffCtx, chart: i64) -> AppResult<OwnChart> {
    let found: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.given_name, c.family_name, c.date_of_birth, p.time_zone FROM patient_charts c \
         JOIN practices p ON p.id = c.practice_id WHERE c.id = $1 AND c.practice_id = $2",
    )
    .bind(chart)
    .bind(ctx.practice_id)
    .fetch_optional(ctx.st.db.read())
    .await?;
    found
        .map(|(g, f, d, z)| OwnChart {
            patient_name: format!("{g} {f}"),
            date_of_birth: present::date(&d),
            zone: crate::ssr::appointments::store::zone(&z),
        })
        .ok_or_else(|| AppError::NotFound("That patient could not be found.".into()))
}

/// Reports, and lab results outside any report, newest first.
pub async fn results(chart: i64) -> AppResult<ChartResults> {
    let ctx = context().await?;
    let OwnChart {
        patient_name,
        date_of_birth,
        zone,
    } = own_chart(&ctx, chart).await?;
    ctx.audit("health.view", Some(chart), "staff record page")
        .await?;
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
    let last_import = sqlx::query(
        "SELECT i.imported_at, s.display_name, i.outcome, i.summary, i.problems FROM health_imports i \
         JOIN staff_accounts s ON s.id = i.staff_id WHERE i.chart_id = $1 ORDER BY i.id DESC LIMIT 1",
    )
    .bind(chart)
    .fetch_optional(ctx.st.db.read())
    .await?
    .map(|r| {
        let problems: String = r.try_get(4)?;
        Ok::<_, sqlx::Error>(ImportOutcome {
            at: format_instant(r.try_get(0)?, zone),
            by: r.try_get(1)?,
            imported: r.try_get::<String, _>(2)? == "imported",
            summary: r.try_get(3)?,
            problems: problems.lines().map(str::to_string).collect(),
        })
    })
    .transpose()?;
    let entries = sqlx::query(
        "SELECT id, section, title, status, recorded_on, source, resource_type FROM health_entries \
         WHERE chart_id = $1 AND section IN ('problems', 'medications', 'allergies', 'immunizations', 'vitals', 'labs') \
         AND resource_type <> 'DiagnosticReport' ORDER BY section, recorded_on DESC, id DESC LIMIT 400",
    )
    .bind(chart)
    .fetch_all(ctx.st.db.read())
    .await?
    .iter()
    .map(|r| {
        let status: String = r.try_get(3)?;
        let t: String = r.try_get(6)?;
        let day: Option<String> = r.try_get(4)?;
        let in_error = status == "entered-in-error";
        Ok(ChartEntry {
            id: r.try_get(0)?,
            section: Section::parse(&r.try_get::<String, _>(1)?).unwrap_or(Section::Problems),
            title: r.try_get(2)?,
            status: present::status(&status),
            date: day.as_deref().map(present::date).unwrap_or_default(),
            source: if r.try_get::<String, _>(5)? == "staff" { "Entered in Portico" } else { "Imported" }.into(),
            can_resolve: !in_error
                && matches!(
                    (t.as_str(), status.as_str()),
                    ("Condition", "active" | "recurrence" | "relapse")
                        | ("AllergyIntolerance", "active")
                        | ("MedicationRequest", "active" | "on-hold")
                ),
            in_error,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ChartResults {
        patient_name,
        date_of_birth,
        can_share: may_share(&ctx),
        can_import: ctx.role == StaffRole::Admin,
        last_import,
        results,
        can_write: may_share(&ctx),
        entries,
    })
}

/// A bundle uploaded on a chart's page by a practice admin: imported whole into this chart
/// (which its Patient must match) or refused whole; either way the outcome is kept for the
/// page to show.
pub async fn import_upload(
    st: &crate::ssr::state::AppState,
    session: Option<crate::ssr::session::Session>,
    chart: i64,
    json: &str,
) -> AppResult<()> {
    use crate::ssr::fhir::import::{import, ImportError, Target};
    let s = session.ok_or(AppError::Unauthorized)?;
    let crate::ssr::session::Principal::Staff(staff_id) = s.principal else {
        return Err(AppError::Forbidden);
    };
    let (_, staff) = s.staff().ok_or(AppError::Unauthorized)?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM patient_charts WHERE id = $1 AND practice_id = $2")
            .bind(chart)
            .bind(staff.practice_id)
            .fetch_optional(st.db.read())
            .await?;
    found.ok_or_else(|| AppError::NotFound("That patient could not be found.".into()))?;
    if StaffRole::parse(&staff.role) != Some(StaffRole::Admin) {
        return Err(AppError::Forbidden);
    }
    let now = st.clock.now();
    let (outcome, summary, problems) = match import(
        &st.db,
        now,
        Target::Chart(chart),
        json,
        Actor::Staff(staff_id),
    )
    .await
    {
        Ok(r) => {
            let mut summary = r.summary();
            if !r.skipped.is_empty() {
                summary.push_str(&format!(" (skipped: {})", r.skipped.join("; ")));
            }
            ("imported", summary, String::new())
        }
        Err(ImportError::Refused(why)) => (
            "refused",
            "Nothing was imported.".to_string(),
            why.join("\n"),
        ),
        Err(ImportError::Db(e)) => return Err(e.into()),
    };
    sqlx::query(
        "INSERT INTO health_imports (chart_id, staff_id, imported_at, outcome, summary, problems) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(chart)
    .bind(staff_id)
    .bind(now)
    .bind(outcome)
    .bind(&summary)
    .bind(&problems)
    .execute(st.db.write())
    .await?;
    Ok(())
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
