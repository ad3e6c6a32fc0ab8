//! The practice's audit log for its admins: every read and write of patient data, sign-ins,
//! exports, transmissions and settings, filtered and paged, or exported whole as CSV.

use sqlx::Row;

use crate::{
    error::{AppError, AppResult},
    model::{
        appointments::Named,
        audit::{AuditKind, AuditPage, AuditRow},
        StaffRole,
    },
    ssr::{
        activity::{bounds, csv_field, describe},
        appointments::{
            staff::{context, StaffCtx},
            store::zone,
        },
        audit::{self, Entry},
        health::present,
        schedule::format_instant,
    },
};

pub const PAGE_ROWS: i64 = 50;
/// An export past this many rows asks for narrower dates rather than building a huge file.
pub const EXPORT_ROWS: i64 = 50_000;

/// What an admin asked for.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub chart: String,
    pub staff: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub page: String,
}

/// Only admins read the log; anyone else is refused, and the refusal is itself logged.
async fn admin(ctx: StaffCtx) -> AppResult<StaffCtx> {
    if ctx.role != StaffRole::Admin {
        audit::record_alone(
            &ctx.st.db,
            ctx.st.clock.now(),
            Entry {
                actor: audit::Actor::Staff(ctx.staff_id),
                action: "audit.denied",
                chart_id: None,
                client: Some(&ctx.client),
                detail: "",
            },
        )
        .await?;
        return Err(AppError::Forbidden);
    }
    Ok(ctx)
}

fn optional_id(field: &str, s: &str, message: &str) -> AppResult<Option<i64>> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| AppError::field(field, message)),
    }
}

/// The staff wording of an action: the patients' words where they exist, else these.
pub fn what(action: &str, detail: &str) -> String {
    if let Some((_, words)) = describe(action, detail) {
        return words;
    }
    let words = match action {
        "chart.view" => "Opened the chart",
        "appointment.view" => "Opened an appointment",
        "message.view" => "Read a conversation",
        "message.close" => "Closed a conversation",
        "message.reopen" => "Reopened a conversation",
        "message.withdraw" => "Withdrew a message",
        "message.settings" => "Changed messaging settings",
        "health.share" => "Shared a result with the patient",
        "health.import" => "Imported health record data",
        "health.entry" => "Changed the health record",
        "sign_in.failed" => "Sign-in failed",
        "sign_in.throttled" => "Sign-in refused: too many attempts",
        "sign_in.password" => "Password accepted; second step next",
        "sign_in.code_failed" => "Wrong two-factor code",
        "settings.two_factor_on" => "Set up two-factor sign-in",
        "settings.two_factor" => "Changed who must use two-factor sign-in",
        "staff.two_factor_reset" => "Reset a colleague's two-factor sign-in",
        "audit.view" => "Viewed the audit log",
        "audit.export" => "Exported the audit log",
        "settings.inviters" => "Changed who may invite patients",
        "schedule.hours" => "Changed a provider's hours",
        "schedule.day_off" => "Marked a day off",
        "schedule.day_on" => "Removed a day off",
        "policy.update" => "Changed the appointment policy",
        "portal.invite" => "Invited the patient to the portal",
        "portal.resend" => "Sent the portal invitation again",
        "portal.cancel" => "Cancelled the portal invitation",
        "portal.revoke" => "Revoked portal access",
        "portal.reenable" => "Restored portal access",
        "portal.reset" => "Reset the portal sign-in",
        "portal.enrolled" => "Enrolled in the portal",
        "portal.contact" => "Changed contact details",
        "portal.representative" => "Linked a representative",
        "book" => "Booked an appointment",
        a if a.ends_with(".denied") || a.ends_with("_denied") => "Refused: not allowed",
        a if a.ends_with("_failed") || a.ends_with(".failed") => "Failed check",
        other => other,
    };
    if detail.is_empty() {
        words.to_string()
    } else {
        format!("{words}: {detail}")
    }
}

struct Query {
    sql: String,
    texts: Vec<String>,
    ints: Vec<i64>,
}

/// The practice's rows matching `f`, newest first: `limit` of them after `offset`.
///
/// A row belongs to the practice when it concerns one of its charts, when one of its staff did
/// it, when a patient with a chart there signed in or changed settings, or when someone tried
/// to sign in as one of its staff.
fn build(practice: i64, f: &Parsed, lo: i64, hi: i64) -> Query {
    let mut sql = String::from(
        "SELECT a.occurred_at, a.actor_kind, a.action, a.chart_id, COALESCE(a.client_ip, ''), a.detail, \
         COALESCE(s.display_name, pa.display_name, ''), COALESCE(s.role, ''), \
         COALESCE(c.family_name || ', ' || c.given_name, '') \
         FROM audit_log a \
         LEFT JOIN staff_accounts s ON a.actor_kind = 'staff' AND s.id = a.actor_id \
         LEFT JOIN portal_accounts pa ON a.actor_kind = 'patient' AND pa.id = a.actor_id \
         LEFT JOIN patient_charts c ON c.id = a.chart_id \
         WHERE a.occurred_at >= $2 AND a.occurred_at < $3 AND (c.practice_id = $1 OR s.practice_id = $1 \
           OR (a.chart_id IS NULL AND a.actor_kind = 'patient' AND EXISTS (SELECT 1 FROM account_charts ac \
               JOIN patient_charts c2 ON c2.id = ac.chart_id WHERE ac.account_id = a.actor_id AND c2.practice_id = $1)) \
           OR (a.actor_kind = 'anonymous' AND a.chart_id IS NULL AND a.detail IN \
               (SELECT 'staff:' || username FROM staff_accounts WHERE practice_id = $1)))",
    );
    let mut ints = vec![practice, lo, hi];
    let mut texts = Vec::new();
    let mut n = 3;
    if let Some(chart) = f.chart {
        n += 1;
        sql.push_str(&format!(" AND a.chart_id = ${n}"));
        ints.push(chart);
    }
    if let Some(staff) = f.staff {
        n += 1;
        sql.push_str(&format!(
            " AND a.actor_kind = 'staff' AND a.actor_id = ${n}"
        ));
        ints.push(staff);
    }
    if let Some(kind) = f.kind {
        let likes: Vec<String> = kind
            .patterns()
            .iter()
            .map(|p| {
                n += 1;
                texts.push((*p).to_string());
                format!("a.action LIKE ${n} ESCAPE '\\'")
            })
            .collect();
        sql.push_str(&format!(" AND ({})", likes.join(" OR ")));
    }
    sql.push_str(" ORDER BY a.occurred_at DESC, a.id DESC");
    Query { sql, texts, ints }
}

struct Parsed {
    chart: Option<i64>,
    staff: Option<i64>,
    kind: Option<AuditKind>,
    from: Option<String>,
    to: Option<String>,
    page: i64,
}

fn parse(f: &AuditFilter) -> AppResult<Parsed> {
    let kind = match f.kind.trim() {
        "" => None,
        k => Some(
            AuditKind::parse(k)
                .ok_or_else(|| AppError::field("kind", "Choose a kind of action from the list."))?,
        ),
    };
    let (from, to) = present::filter(&f.from, &f.to).map_err(|m| AppError::field("from", m))?;
    Ok(Parsed {
        chart: optional_id("chart", &f.chart, "Enter a chart number, for example 12.")?,
        staff: optional_id("staff", &f.staff, "Choose a staff member from the list.")?,
        kind,
        from,
        to,
        page: optional_id("page", &f.page, "There is no such page.")?.unwrap_or(1),
    })
}

async fn rows(ctx: &StaffCtx, p: &Parsed, limit: i64, offset: i64) -> AppResult<Vec<AuditRow>> {
    let tz_name: String = sqlx::query_scalar("SELECT time_zone FROM practices WHERE id = $1")
        .bind(ctx.practice_id)
        .fetch_one(ctx.st.db.read())
        .await?;
    let tz = zone(&tz_name);
    let (lo, hi) = bounds(p.from.as_deref(), p.to.as_deref(), tz);
    let q = build(ctx.practice_id, p, lo, hi);
    let n = q.ints.len() + q.texts.len();
    let sql = format!("{} LIMIT ${} OFFSET ${}", q.sql, n + 1, n + 2);
    // The integers are $1 up to the last filter id, the patterns follow them: bind in that order.
    let mut query = sqlx::query(&sql);
    for v in &q.ints {
        query = query.bind(*v);
    }
    for t in &q.texts {
        query = query.bind(t.as_str());
    }
    let found = query
        .bind(limit)
        .bind(offset)
        .fetch_all(ctx.st.db.read())
        .await?;
    found
        .iter()
        .map(|r| {
            let actor: String = r.try_get(1)?;
            let action: String = r.try_get(2)?;
            let detail: String = r.try_get(5)?;
            let name: String = r.try_get(6)?;
            let role: String = r.try_get(7)?;
            Ok(AuditRow {
                at: format_instant(r.try_get(0)?, tz),
                who: match actor.as_str() {
                    "staff" => format!(
                        "{name} ({})",
                        StaffRole::parse(&role).map_or("staff", |r| r.label())
                    ),
                    "patient" => format!("{name} (patient)"),
                    "system" => "Portico".into(),
                    _ => "Someone not signed in".into(),
                },
                address: r.try_get(4)?,
                chart: r.try_get(8)?,
                chart_id: r.try_get(3)?,
                what: what(&action, &detail),
                action,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

async fn note(ctx: &StaffCtx, action: &str, p: &Parsed) -> AppResult<()> {
    let mut conn = ctx.st.db.write().acquire().await?;
    let detail = [
        p.kind.map(|k| k.label().to_string()),
        p.staff.map(|s| format!("staff {s}")),
        p.from.clone(),
        p.to.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    audit::record(
        &mut conn,
        ctx.st.clock.now(),
        Entry {
            actor: audit::Actor::Staff(ctx.staff_id),
            action,
            chart_id: p.chart,
            client: Some(&ctx.client),
            detail: &detail,
        },
    )
    .await?;
    Ok(())
}

/// One page of the log.
pub async fn page(f: AuditFilter) -> AppResult<AuditPage> {
    let ctx = admin(context().await?).await?;
    let p = parse(&f)?;
    let chart_name = match p.chart {
        Some(id) => sqlx::query_scalar::<_, String>(
            "SELECT family_name || ', ' || given_name FROM patient_charts WHERE id = $1 AND practice_id = $2",
        )
        .bind(id)
        .bind(ctx.practice_id)
        .fetch_optional(ctx.st.db.read())
        .await?
        .map(Some)
        .ok_or_else(|| AppError::field("chart", "There is no chart with that number here."))?,
        None => None,
    };
    let offset = (p.page - 1).saturating_mul(PAGE_ROWS);
    let mut rows = rows(&ctx, &p, PAGE_ROWS + 1, offset).await?;
    let has_more = rows.len() as i64 > PAGE_ROWS;
    rows.truncate(PAGE_ROWS as usize);
    let staff = sqlx::query(
        "SELECT id, display_name FROM staff_accounts WHERE practice_id = $1 ORDER BY display_name",
    )
    .bind(ctx.practice_id)
    .fetch_all(ctx.st.db.read())
    .await?
    .iter()
    .map(|r| {
        Ok(Named {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    note(&ctx, "audit.view", &p).await?;
    Ok(AuditPage {
        rows,
        page: p.page,
        has_more,
        staff,
        chart_name,
    })
}

/// The whole filtered log as CSV (RFC 4180).
pub async fn export(ctx: StaffCtx, f: AuditFilter) -> AppResult<String> {
    let ctx = admin(ctx).await?;
    let p = parse(&f)?;
    let rows = rows(&ctx, &p, EXPORT_ROWS + 1, 0).await?;
    if rows.len() as i64 > EXPORT_ROWS {
        return Err(AppError::invalid(format!(
            "More than {EXPORT_ROWS} entries match. Choose a shorter date range."
        )));
    }
    note(&ctx, "audit.export", &p).await?;
    Ok(csv(&rows))
}

pub fn csv(rows: &[AuditRow]) -> String {
    let mut out =
        String::from("Date and time,Who,Address (keyed hash),Chart,Chart number,Action,What\r\n");
    for r in rows {
        let id = r.chart_id.map(|i| i.to_string()).unwrap_or_default();
        out.push_str(
            &[
                r.at.as_str(),
                &r.who,
                &r.address,
                &r.chart,
                &id,
                &r.action,
                &r.what,
            ]
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
    fn staff_words_fall_back_to_the_patients_then_the_action() {
        assert_eq!(what("chart.view", ""), "Opened the chart");
        assert_eq!(what("sign_in", ""), "Signed in");
        assert_eq!(
            what("sign_in.failed", "staff:marcus"),
            "Sign-in failed: staff:marcus"
        );
        assert_eq!(what("portal.denied", ""), "Refused: not allowed");
        assert_eq!(what("something.new", "x"), "something.new: x");
    }

    #[test]
    fn filters_add_numbered_parameters_in_order() {
        let p = Parsed {
            chart: Some(7),
            staff: Some(3),
            kind: Some(AuditKind::Records),
            from: None,
            to: None,
            page: 1,
        };
        let q = build(1, &p, 0, 10);
        assert!(q.sql.contains("a.chart_id = $4"));
        assert!(q.sql.contains("a.actor_id = $5"));
        assert!(q.sql.contains("a.action LIKE $6 ESCAPE"));
        assert!(q.sql.contains("a.action LIKE $7 ESCAPE"));
        assert_eq!(q.ints.len(), 5);
        assert_eq!(q.texts, vec!["chart.%".to_string(), "health.%".to_string()]);
    }

    #[test]
    fn bad_filters_are_refused_by_field() {
        let f = AuditFilter {
            chart: "abc".into(),
            ..Default::default()
        };
        assert!(parse(&f).is_err());
        let f = AuditFilter {
            kind: "everything".into(),
            ..Default::default()
        };
        assert!(parse(&f).is_err());
        let f = AuditFilter {
            page: "0".into(),
            ..Default::default()
        };
        assert!(parse(&f).is_err());
        let f = AuditFilter::default();
        assert_eq!(parse(&f).map(|p| p.page).ok(), Some(1));
    }
}
