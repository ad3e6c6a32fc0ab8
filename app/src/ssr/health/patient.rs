//! The patient's side of the health record: the selected record, for its patient or their
//! representative. Every read is recorded (the activity log shows it to the account).

use super::{present, record};
use crate::{
    error::{AppError, AppResult},
    model::health::{HealthRecord, PAGE_LAB_RESULTS, PAGE_VITAL_ROWS},
    ssr::{
        appointments::patient::context,
        audit::{self, Actor, Entry},
    },
};

/// The selected record's health record between `from` and `to` (ISO days; `from` alone is one
/// day; both empty is everything).
pub async fn view(from: String, to: String) -> AppResult<HealthRecord> {
    let ctx = context().await?;
    let (from, to) = present::filter(&from, &to).map_err(|m| AppError::field("from", m))?;
    let chart = ctx
        .selected_chart()
        .await?
        .ok_or_else(|| AppError::NotFound("There is no record to show.".into()))?;
    let now = ctx.st.clock.now();
    let mut conn = ctx.st.db.read().acquire().await?;
    let rec = record::read(&mut conn, chart, from, to, now).await?;
    drop(conn);
    audit::record_alone(
        &ctx.st.db,
        now,
        Entry {
            actor: Actor::Patient(ctx.account_id),
            action: "health.view",
            chart_id: Some(chart),
            client: Some(&ctx.client),
            detail: &rec.filter_label,
        },
    )
    .await?;
    Ok(for_page(rec))
}

/// The record as the page shows it: long histories shortened to their latest entries (the
/// chart and every download keep them all).
fn for_page(mut rec: HealthRecord) -> HealthRecord {
    for v in &mut rec.vitals {
        if v.rows.len() > PAGE_VITAL_ROWS {
            v.more = v.rows.len() - PAGE_VITAL_ROWS;
            v.rows.truncate(PAGE_VITAL_ROWS);
        }
    }
    for t in &mut rec.labs {
        if t.results.len() > PAGE_LAB_RESULTS {
            t.more = t.results.len() - PAGE_LAB_RESULTS;
            t.results.truncate(PAGE_LAB_RESULTS);
        }
    }
    rec
}
