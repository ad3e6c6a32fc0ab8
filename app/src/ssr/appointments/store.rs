//! Reading appointments, policies and the people involved.

use chrono_tz::Tz;
use sqlx::{any::AnyRow, AnyConnection, Row};

use crate::domain::{
    appointment::State,
    policy::{Approval, Policy},
};

/// An appointment with what is needed to show it and decide about it.
#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: i64,
    pub chart_id: i64,
    pub practice_id: i64,
    pub provider_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub pending_starts_at: Option<i64>,
    pub pending_ends_at: Option<i64>,
    pub state: State,
    pub visit_reason: String,
    pub policy: Policy,
    pub version: i64,
    pub zone: Tz,
    pub provider_name: String,
    pub practice_name: String,
    pub practice_phone: String,
    pub patient_name: String,
    /// Where the chart's notifications go.
    pub email: String,
}

pub const SELECT: &str =
    "SELECT a.id, a.chart_id, a.practice_id, a.provider_id, a.starts_at, a.ends_at, \
    a.pending_starts_at, a.pending_ends_at, a.state, a.visit_reason, a.policy, a.version, \
    p.time_zone, v.display_name, p.name, p.phone, c.given_name, c.family_name, c.email \
    FROM appointments a \
    JOIN practices p ON p.id = a.practice_id \
    JOIN providers v ON v.id = a.provider_id \
    JOIN patient_charts c ON c.id = a.chart_id";

pub fn zone(name: &str) -> Tz {
    // Zones are validated when a practice is created; UTC is a visible, safe fallback.
    name.parse().unwrap_or(Tz::UTC)
}

pub fn from_row(r: &AnyRow) -> Result<Appointment, sqlx::Error> {
    let state: String = r.try_get(8)?;
    let policy: String = r.try_get(10)?;
    let zone_name: String = r.try_get(12)?;
    let given: String = r.try_get(16)?;
    let family: String = r.try_get(17)?;
    Ok(Appointment {
        id: r.try_get(0)?,
        chart_id: r.try_get(1)?,
        practice_id: r.try_get(2)?,
        provider_id: r.try_get(3)?,
        starts_at: r.try_get(4)?,
        ends_at: r.try_get(5)?,
        pending_starts_at: r.try_get(6)?,
        pending_ends_at: r.try_get(7)?,
        state: State::parse(&state).ok_or_else(|| decode(format!("unknown state {state}")))?,
        visit_reason: r.try_get(9)?,
        policy: serde_json::from_str(&policy).map_err(|e| decode(e.to_string()))?,
        version: r.try_get(11)?,
        zone: zone(&zone_name),
        provider_name: r.try_get(13)?,
        practice_name: r.try_get(14)?,
        practice_phone: r.try_get(15)?,
        patient_name: format!("{given} {family}"),
        email: r.try_get(18)?,
    })
}

fn decode(msg: String) -> sqlx::Error {
    sqlx::Error::Decode(msg.into())
}

pub async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Appointment>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Booleans are read as 0/1: sqlx's Any driver cannot decode SQLite's BOOLEAN.
const POLICY_SELECT: &str = "CASE WHEN online_booking THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END, \
    CASE WHEN online_cancellation THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END, CASE WHEN online_rescheduling THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END, \
    booking_notice_hours, cancellation_notice_hours, reschedule_notice_hours, \
    cancellation_approval, reschedule_approval, late_cancellation_fee_cents, no_show_fee_cents";

const POLICY_COLUMNS: &str = "online_booking, online_cancellation, online_rescheduling, \
    booking_notice_hours, cancellation_notice_hours, reschedule_notice_hours, \
    cancellation_approval, reschedule_approval, late_cancellation_fee_cents, no_show_fee_cents";

fn policy_from_row(r: &AnyRow) -> Result<Policy, sqlx::Error> {
    let approval = |i: usize| -> Result<Approval, sqlx::Error> {
        let s: String = r.try_get(i)?;
        Approval::parse(&s).ok_or_else(|| decode(format!("unknown approval {s}")))
    };
    Ok(Policy {
        online_booking: r.try_get::<i64, _>(0)? != 0,
        online_cancellation: r.try_get::<i64, _>(1)? != 0,
        online_rescheduling: r.try_get::<i64, _>(2)? != 0,
        booking_notice_hours: r.try_get(3)?,
        cancellation_notice_hours: r.try_get(4)?,
        reschedule_notice_hours: r.try_get(5)?,
        cancellation_approval: approval(6)?,
        reschedule_approval: approval(7)?,
        late_cancellation_fee_cents: r.try_get(8)?,
        no_show_fee_cents: r.try_get(9)?,
    })
}

/// The policy a new booking with `provider_id` gets: the provider's override, else the
/// practice's.
pub async fn policy_for(
    conn: &mut AnyConnection,
    provider_id: i64,
) -> Result<Option<Policy>, sqlx::Error> {
    let sql = format!(
        "SELECT {POLICY_SELECT} FROM policies WHERE provider_id = $1 \
         UNION ALL \
         SELECT {POLICY_SELECT} FROM policies \
         WHERE provider_id IS NULL AND practice_id = (SELECT practice_id FROM providers WHERE id = $1)"
    );
    let rows = sqlx::query(&sql).bind(provider_id).fetch_all(conn).await?;
    rows.first().map(policy_from_row).transpose()
}

/// A practice's own policy (not a provider's override).
pub async fn practice_policy(
    conn: &mut AnyConnection,
    practice_id: i64,
) -> Result<Option<Policy>, sqlx::Error> {
    let sql = format!(
        "SELECT {POLICY_SELECT} FROM policies WHERE practice_id = $1 AND provider_id IS NULL"
    );
    let row = sqlx::query(&sql)
        .bind(practice_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(policy_from_row).transpose()
}

/// Write a practice's policy (`provider_id` None) or a provider's override.
pub async fn save_policy(
    conn: &mut AnyConnection,
    practice_id: i64,
    provider_id: Option<i64>,
    p: &Policy,
    now: i64,
) -> Result<(), sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE policies SET online_booking = $1, online_cancellation = $2, online_rescheduling = $3, \
         booking_notice_hours = $4, cancellation_notice_hours = $5, reschedule_notice_hours = $6, \
         cancellation_approval = $7, reschedule_approval = $8, late_cancellation_fee_cents = $9, \
         no_show_fee_cents = $10, updated_at = $11 \
         WHERE practice_id = $12 AND ((provider_id IS NULL AND $13 = 0) OR provider_id = $13)",
    )
    .bind(p.online_booking)
    .bind(p.online_cancellation)
    .bind(p.online_rescheduling)
    .bind(p.booking_notice_hours)
    .bind(p.cancellation_notice_hours)
    .bind(p.reschedule_notice_hours)
    .bind(p.cancellation_approval.as_str())
    .bind(p.reschedule_approval.as_str())
    .bind(p.late_cancellation_fee_cents)
    .bind(p.no_show_fee_cents)
    .bind(now)
    .bind(practice_id)
    .bind(provider_id.unwrap_or(0))
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(&format!(
            "INSERT INTO policies (practice_id, provider_id, {POLICY_COLUMNS}, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(practice_id)
        .bind(provider_id)
        .bind(p.online_booking)
        .bind(p.online_cancellation)
        .bind(p.online_rescheduling)
        .bind(p.booking_notice_hours)
        .bind(p.cancellation_notice_hours)
        .bind(p.reschedule_notice_hours)
        .bind(p.cancellation_approval.as_str())
        .bind(p.reschedule_approval.as_str())
        .bind(p.late_cancellation_fee_cents)
        .bind(p.no_show_fee_cents)
        .bind(now)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// How an account relates to a chart, if it may see it at all.
pub async fn relationship(
    conn: &mut AnyConnection,
    account_id: i64,
    chart_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT relationship FROM account_charts WHERE account_id = $1 AND chart_id = $2",
    )
    .bind(account_id)
    .bind(chart_id)
    .fetch_optional(conn)
    .await
}

pub async fn account_name(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<String, sqlx::Error> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT display_name FROM portal_accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(conn)
            .await?;
    Ok(name.unwrap_or_default())
}
