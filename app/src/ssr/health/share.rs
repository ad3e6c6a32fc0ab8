//! Sharing a result with the patient: a lab or imaging report (with the results it lists), or
//! a lab result on its own. Who shared it and when is kept; sharing twice changes nothing.

use sqlx::AnyConnection;

/// Shares entry `id` of `chart`. Returns false when it does not exist, is not a result, or was
/// already shared.
pub async fn share(
    conn: &mut AnyConnection,
    chart: i64,
    id: i64,
    staff: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE health_entries SET shared_at = $4, shared_by = $3 \
         WHERE id = $2 AND chart_id = $1 AND needs_sharing = 1 AND shared_at IS NULL",
    )
    .bind(chart)
    .bind(id)
    .bind(staff)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    // The report's results, so that each reads as shared wherever it is listed.
    sqlx::query(
        "UPDATE health_entries SET shared_at = $4, shared_by = $3 WHERE chart_id = $1 \
         AND shared_at IS NULL AND resource_type = 'Observation' AND report_fhir_id = \
         (SELECT fhir_id FROM health_entries WHERE id = $2 AND resource_type = 'DiagnosticReport')",
    )
    .bind(chart)
    .bind(id)
    .bind(staff)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}
