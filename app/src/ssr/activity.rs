//! The patient's activity log: everything done in the account and to the records it holds,
//! read from the append-only audit log, by the account holder and by each representative.

use chrono::{NaiveDate, TimeZone};
use sqlx::Row;

use crate::{
    error::{AppError, AppResult},
    model::activity::{ActivityKind, ActivityLog, ActivityRow},
    ssr::{appointments::store::zone, db::Db, health::present, schedule::format_instant},
};

const LIMIT: i64 = 500;

/// The words for an audit action, or `None` for what the log does not list (a switch of
/// record, a denied request).
pub fn describe(action: &str, detail: &str) -> Option<(ActivityKind, String)> {
    let with = |s: &str| {
        if detail.is_empty() {
            s.to_string()
        } else {
            format!("{s}: {detail}")
        }
    };
    Some(match action {
        "sign_in" => (ActivityKind::SignIn, "Signed in".into()),
        "sign_out" => (ActivityKind::SignIn, "Signed out".into()),
        "sign_out.everywhere" => (ActivityKind::SignIn, "Signed out on every device".into()),
        "health.view" => (ActivityKind::HealthRecord, with("Viewed the health record")),
        "health.download" => (
            ActivityKind::HealthRecord,
            with("Downloaded the health record"),
        ),
        "health.transmit" => (ActivityKind::HealthRecord, with("Sent the health record")),
        "health.link_opened" => (
            ActivityKind::HealthRecord,
            "Opened a secure link to the health record".into(),
        ),
        "message.start" => (
            ActivityKind::Messages,
            "Started a conversation with the practice".into(),
        ),
        "message.send" => (ActivityKind::Messages, "Sent a message".into()),
        "settings.password" => (ActivityKind::Settings, "Changed the password".into()),
        "settings.security_question" => (
            ActivityKind::Settings,
            "Changed the security question".into(),
        ),
        "settings.preferences" => (
            ActivityKind::Settings,
            "Changed notification preferences".into(),
        ),
        "settings.email_code_sent" => (
            ActivityKind::Settings,
            "Asked for a code to confirm an email address".into(),
        ),
        "settings.phone_code_sent" => (
            ActivityKind::Settings,
            "Asked for a code to confirm a phone number".into(),
        ),
        "appointment.view" => (ActivityKind::Appointments, "Viewed an appointment".into()),
        "appointment.list" => (ActivityKind::Appointments, with("Viewed the appointments")),
        a if a.starts_with("appointment.") && a != "appointment.denied" => {
            let words = present::status(&a["appointment.".len()..].replace('_', " "));
            (ActivityKind::Appointments, format!("Appointment: {words}"))
        }
        _ => return None,
    })
}

/// Unix bounds of the days `from` to `to` (inclusive) in the zone `tz`.
pub(crate) fn bounds(from: Option<&str>, to: Option<&str>, tz: chrono_tz::Tz) -> (i64, i64) {
    let start = |d: &str, plus: i64| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().and_then(|d| {
            let d = d + chrono::Duration::days(plus);
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()
                .map(|t| t.timestamp())
        })
    };
    (
        from.and_then(|d| start(d, 0)).unwrap_or(i64::MIN),
        to.and_then(|d| start(d, 1)).unwrap_or(i64::MAX),
    )
}

/// The log of `account`, newest first, filtered by kind and dates.
pub async fn log(
    db: &Db,
    account: i64,
    kind: &str,
    from: &str,
    to: &str,
) -> AppResult<ActivityLog> {
    let kind =
        match kind.trim() {
            "" => None,
            k => Some(ActivityKind::parse(k).ok_or_else(|| {
                AppError::field("kind", "Choose a kind of activity from the list.")
            })?),
        };
    let (from, to) = present::filter(from, to).map_err(|m| AppError::field("from", m))?;
    // The account's own zone for its own actions: its first record's practice.
    let home: String = sqlx::query_scalar(
        "SELECT COALESCE((SELECT p.time_zone FROM account_charts ac JOIN patient_charts c ON c.id = ac.chart_id \
         JOIN practices p ON p.id = c.practice_id WHERE ac.account_id = $1 \
         ORDER BY CASE ac.relationship WHEN 'self' THEN 0 ELSE 1 END, c.id LIMIT 1), 'UTC')",
    )
    .bind(account)
    .fetch_one(db.read())
    .await?;
    let home = zone(&home);
    let (lo, hi) = bounds(from.as_deref(), to.as_deref(), home);
    // The account's own actions, anything another account did to its records (a
    // representative), and a secure link of its own being opened.
    let rows = sqlx::query(
        "SELECT a.occurred_at, a.action, a.detail, a.actor_kind, COALESCE(pa.display_name, ''), \
         COALESCE(c.given_name || ' ' || c.family_name, ''), COALESCE(p.time_zone, ''), \
         COALESCE((SELECT r.relationship FROM account_charts r WHERE r.account_id = a.actor_id \
                   AND r.chart_id = a.chart_id), '') \
         FROM audit_log a \
         LEFT JOIN portal_accounts pa ON a.actor_kind = 'patient' AND pa.id = a.actor_id \
         LEFT JOIN patient_charts c ON c.id = a.chart_id \
         LEFT JOIN practices p ON p.id = c.practice_id \
         WHERE a.occurred_at >= $2 AND a.occurred_at < $3 AND ( \
           (a.actor_kind = 'patient' AND a.actor_id = $1) \
           OR (a.actor_kind IN ('patient', 'anonymous') AND a.chart_id IN \
               (SELECT chart_id FROM account_charts WHERE account_id = $1 AND relationship = 'self'))) \
         ORDER BY a.occurred_at DESC, a.id DESC LIMIT $4",
    )
    .bind(account)
    .bind(lo)
    .bind(hi)
    .bind(LIMIT * 4)
    .fetch_all(db.read())
    .await?;
    let mut out = Vec::new();
    let mut truncated = rows.len() as i64 == LIMIT * 4;
    for r in rows {
        let action: String = r.try_get(1)?;
        let detail: String = r.try_get(2)?;
        let Some((k, what)) = describe(&action, &detail) else {
            continue;
        };
        if kind.is_some_and(|want| want != k) {
            continue;
        }
        if out.len() as i64 == LIMIT {
            truncated = true;
            break;
        }
        let actor_kind: String = r.try_get(3)?;
        let name: String = r.try_get(4)?;
        let relationship: String = r.try_get(7)?;
        let tz: String = r.try_get(6)?;
        out.push(ActivityRow {
            at: format_instant(r.try_get(0)?, if tz.is_empty() { home } else { zone(&tz) }),
            who: match (actor_kind.as_str(), relationship.as_str()) {
                ("anonymous", _) => "The person you sent your record to".into(),
                (_, "representative") => format!("{name} (representative)"),
                _ => name,
            },
            record: r.try_get(5)?,
            what,
            kind: k,
        });
    }
    Ok(ActivityLog {
        rows: out,
        truncated,
    })
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The log as CSV (RFC 4180), for the export.
pub fn csv(log: &ActivityLog) -> String {
    let mut out = String::from("Date and time,Who,Record,Kind,What\r\n");
    for r in &log.rows {
        out.push_str(
            &[r.at.as_str(), &r.who, &r.record, r.kind.label(), &r.what]
                .map(csv_field)
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_words_and_denials_are_left_out() {
        assert_eq!(
            describe("sign_in", ""),
            Some((ActivityKind::SignIn, "Signed in".into()))
        );
        assert_eq!(
            describe("health.download", "PDF · On Mar 10, 2025")
                .map(|d| d.1)
                .as_deref(),
            Some("Downloaded the health record: PDF · On Mar 10, 2025")
        );
        assert_eq!(
            describe("appointment.request_cancellation", "x")
                .map(|d| d.1)
                .as_deref(),
            Some("Appointment: Request cancellation")
        );
        assert_eq!(describe("appointment.denied", ""), None);
        assert_eq!(describe("record.switch", ""), None);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let log = ActivityLog {
            rows: vec![ActivityRow {
                at: "Tue, Dec 1, 2026, 9:00 AM EST".into(),
                who: "Emma Carter".into(),
                record: String::new(),
                what: "Said \"hi\"".into(),
                kind: ActivityKind::Messages,
            }],
            truncated: false,
        };
        assert_eq!(
            csv(&log),
            "Date and time,Who,Record,Kind,What\r\n\"Tue, Dec 1, 2026, 9:00 AM EST\",Emma Carter,,Messages,\"Said \"\"hi\"\"\"\r\n"
        );
    }

    #[test]
    fn day_bounds_are_local_midnights() {
        let tz: chrono_tz::Tz = "America/New_York".parse().unwrap_or(chrono_tz::UTC);
        let (lo, hi) = bounds(Some("2026-12-01"), Some("2026-12-01"), tz);
        assert_eq!(hi - lo, 86_400);
        assert_eq!(lo, 1_796_101_200); // 2026-12-01T05:00:00Z
    }
}
