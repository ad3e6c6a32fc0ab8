//! The demo health records, loaded through the same FHIR import a clinic uses. The bundles
//! live in demo/fhir (written by scripts/demo-fhir.py); their dates are fixed, in the past.

use sqlx::AnyConnection;

use super::{
    audit::Actor,
    fhir::import::{import_in, ImportError, Target},
    health::share::share,
};
use crate::error::AppError;

pub const EMMA_RIVERSIDE: &str = include_str!("../../../demo/fhir/emma-riverside.json");
pub const EMMA_HARBOR: &str = include_str!("../../../demo/fhir/emma-harbor.json");
pub const LILY_HARBOR: &str = include_str!("../../../demo/fhir/lily-harbor.json");

/// Results left unshared in the demo, so that sharing can be tried: Emma's TSH and vitamin D
/// at Riverside.
pub const UNSHARED_REPORTS: [&str; 2] = ["Thyroid stimulating hormone panel", "Vitamin D panel"];

pub struct Ids {
    pub riverside: i64,
    pub harbor: i64,
    pub riverside_admin: i64,
    pub harbor_admin: i64,
}

pub async fn seed(c: &mut AnyConnection, ids: Ids, now: i64) -> Result<(), AppError> {
    for (practice, admin, bundle) in [
        (ids.riverside, ids.riverside_admin, EMMA_RIVERSIDE),
        (ids.harbor, ids.harbor_admin, EMMA_HARBOR),
        (ids.harbor, ids.harbor_admin, LILY_HARBOR),
    ] {
        let report = import_in(
            &mut *c,
            now,
            Target::Practice(practice),
            bundle,
            Actor::System,
        )
        .await
        .map_err(|e| match e {
            ImportError::Db(e) => AppError::from(e),
            ImportError::Refused(why) => {
                AppError::internal(format!("demo bundle refused: {}", why.join("; ")))
            }
        })?;
        let reports: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, title FROM health_entries WHERE chart_id = $1 \
             AND resource_type = 'DiagnosticReport' ORDER BY id",
        )
        .bind(report.chart_id)
        .fetch_all(&mut *c)
        .await?;
        for (id, title) in reports {
            if !UNSHARED_REPORTS.contains(&title.as_str()) {
                share(&mut *c, report.chart_id, id, admin, now).await?;
            }
        }
    }
    Ok(())
}
