//! The staff side of portal access: find a chart, invite its patient, and manage the access
//! that follows (resend, cancel, revoke, re-enable, reset), contact details and
//! representatives. Staff see only their own practice's charts; anything else is "not found".

use sqlx::{AnyConnection, Row};

use super::{
    appointments::staff::{context, StaffCtx},
    audit::{self, Actor, Entry},
    messaging::live::Signal,
    outbox::{self, Channel, Message},
    schedule::format_instant,
    token,
};
use crate::{
    domain::access::{
        dob_from_us, email_problem, phone_digits, phone_problem, AccessAction, PortalStatus,
    },
    error::{AppError, AppResult, FieldError},
    model::{
        access::{AccessEvent, ChartAccess, ChartRow, InvitationView, InviterRow, LinkedAccount},
        StaffRole,
    },
};

/// An invitation link works for 14 days (SPEC §3).
pub const INVITATION_TTL_SECS: i64 = 14 * 24 * 60 * 60;
pub const NO_CHART: &str = "We could not find that patient.";

/// The access code for an invitation: 8 digits derived from its salt with the server's key,
/// so staff can read it in the panel while the database alone does not reveal it.
pub fn pin_for(secret_key: &[u8], salt: &str) -> String {
    let mac = token::keyed_hash(secret_key, &format!("pin:{salt}"));
    let n = u64::from_str_radix(&mac[..15], 16).unwrap_or(0);
    format!("{:08}", n % 100_000_000)
}

fn us_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{m}/{d}/{y}"),
        _ => iso.to_string(),
    }
}

fn chart_row(r: &sqlx::any::AnyRow) -> Result<ChartRow, sqlx::Error> {
    let given: String = r.try_get(1)?;
    let family: String = r.try_get(2)?;
    let dob: String = r.try_get(3)?;
    let status: String = r.try_get(6)?;
    Ok(ChartRow {
        id: r.try_get(0)?,
        name: format!("{family}, {given}"),
        date_of_birth: us_date(&dob),
        email: r.try_get(4)?,
        phone: r.try_get(5)?,
        status: PortalStatus::parse(&status).unwrap_or(PortalStatus::NotInvited),
    })
}

const CHART_COLUMNS: &str =
    "id, given_name, family_name, date_of_birth, email, phone, portal_status";

/// Search the practice's charts by name, date of birth (MM/DD/YYYY), email or phone.
pub async fn search(query: String) -> AppResult<Vec<ChartRow>> {
    let ctx = context().await?;
    let q = query.trim().to_lowercase();
    let db = &ctx.st.db;
    let rows = if q.is_empty() {
        sqlx::query(&format!(
            "SELECT {CHART_COLUMNS} FROM patient_charts WHERE practice_id = $1 \
             ORDER BY family_name, given_name, id LIMIT 50"
        ))
        .bind(ctx.practice_id)
        .fetch_all(db.read())
        .await?
    } else if let Some(dob) = dob_from_us(&q) {
        sqlx::query(&format!(
            "SELECT {CHART_COLUMNS} FROM patient_charts WHERE practice_id = $1 AND date_of_birth = $2 \
             ORDER BY family_name, given_name, id LIMIT 50"
        ))
        .bind(ctx.practice_id)
        .bind(dob)
        .fetch_all(db.read())
        .await?
    } else if q.chars().filter(char::is_ascii_digit).count() >= 7
        && !q.chars().any(char::is_alphabetic)
    {
        let digits = phone_digits(&q);
        sqlx::query(&format!(
            "SELECT {CHART_COLUMNS} FROM patient_charts WHERE practice_id = $1 AND \
             REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') LIKE $2 \
             ORDER BY family_name, given_name, id LIMIT 50"
        ))
        .bind(ctx.practice_id)
        .bind(format!("%{digits}"))
        .fetch_all(db.read())
        .await?
    } else {
        let like = format!("%{}%", q.replace(['%', '_'], ""));
        sqlx::query(&format!(
            "SELECT {CHART_COLUMNS} FROM patient_charts WHERE practice_id = $1 AND \
             (LOWER(given_name) LIKE $2 OR LOWER(family_name) LIKE $2 OR LOWER(email) LIKE $2 \
              OR LOWER(given_name || ' ' || family_name) LIKE $2 \
              OR LOWER(family_name || ', ' || given_name) LIKE $2) \
             ORDER BY family_name, given_name, id LIMIT 50"
        ))
        .bind(ctx.practice_id)
        .bind(like)
        .fetch_all(db.read())
        .await?
    };
    rows.iter()
        .map(chart_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

async fn load_chart(ctx: &StaffCtx, chart_id: i64) -> AppResult<ChartRow> {
    let row = sqlx::query(&format!(
        "SELECT {CHART_COLUMNS} FROM patient_charts WHERE id = $1 AND practice_id = $2"
    ))
    .bind(chart_id)
    .bind(ctx.practice_id)
    .fetch_optional(ctx.st.db.read())
    .await?
    .ok_or_else(|| AppError::NotFound(NO_CHART.into()))?;
    Ok(chart_row(&row)?)
}

async fn may_invite(ctx: &StaffCtx) -> AppResult<bool> {
    let v: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN can_invite THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END \
         FROM staff_accounts WHERE id = $1",
    )
    .bind(ctx.staff_id)
    .fetch_one(ctx.st.db.read())
    .await?;
    Ok(v == 1)
}

/// The chart header and its portal-access panel.
pub async fn chart_access(chart_id: i64) -> AppResult<ChartAccess> {
    let ctx = context().await?;
    let chart = load_chart(&ctx, chart_id).await?;
    ctx.audit("chart.view", Some(chart_id), "").await?;
    let db = &ctx.st.db;
    let tz = practice_zone(&ctx).await?;
    let invitation = match chart.status {
        PortalStatus::Invited => sqlx::query(
            "SELECT pin_salt, created_at, expires_at FROM portal_invitations \
             WHERE chart_id = $1 AND status = 'pending' ORDER BY id DESC LIMIT 1",
        )
        .bind(chart_id)
        .fetch_optional(db.read())
        .await?
        .map(|r| -> Result<InvitationView, sqlx::Error> {
            let salt: String = r.try_get(0)?;
            Ok(InvitationView {
                pin: pin_for(&ctx.st.config.secret_key, &salt),
                sent_to: chart.email.clone(),
                sent_at: format_instant(r.try_get(1)?, tz),
                expires_at: format_instant(r.try_get(2)?, tz),
            })
        })
        .transpose()?,
        _ => None,
    };
    let accounts = sqlx::query(
        "SELECT a.username, ac.relationship FROM account_charts ac \
         JOIN portal_accounts a ON a.id = ac.account_id WHERE ac.chart_id = $1 \
         UNION ALL SELECT a.username, r.relationship FROM revoked_links r \
         JOIN portal_accounts a ON a.id = r.account_id WHERE r.chart_id = $1 \
         ORDER BY 2 DESC, 1",
    )
    .bind(chart_id)
    .fetch_all(db.read())
    .await?
    .iter()
    .map(|r| {
        Ok(LinkedAccount {
            username: r.try_get(0)?,
            relationship: r.try_get(1)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let can_invite = may_invite(&ctx).await?;
    let actions = AccessAction::ALL
        .into_iter()
        .filter(|a| a.allowed_in(chart.status) && (!a.invites() || can_invite))
        .collect();
    let history = sqlx::query(
        "SELECT occurred_at, action FROM audit_log WHERE chart_id = $1 AND action LIKE 'portal.%' \
         ORDER BY id DESC LIMIT 20",
    )
    .bind(chart_id)
    .fetch_all(db.read())
    .await?
    .iter()
    .map(|r| {
        let action: String = r.try_get(1)?;
        Ok(AccessEvent {
            at: format_instant(r.try_get(0)?, tz),
            what: event_label(&action).to_string(),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let practice: String = sqlx::query_scalar("SELECT name FROM practices WHERE id = $1")
        .bind(ctx.practice_id)
        .fetch_one(db.read())
        .await?;
    Ok(ChartAccess {
        chart,
        practice,
        invitation,
        accounts,
        actions,
        can_invite,
        history,
    })
}

fn event_label(action: &str) -> &str {
    match action {
        "portal.invite" => "Invited to the portal",
        "portal.resend" => "Invitation resent",
        "portal.cancel" => "Invitation cancelled",
        "portal.revoke" => "Access revoked",
        "portal.reenable" => "Access re-enabled",
        "portal.reset" => "Account reset and invited again",
        "portal.enrolled" => "Patient enrolled",
        "portal.contact" => "Email or phone changed",
        "portal.representative" => "Representative linked",
        other => other,
    }
}

async fn practice_zone(ctx: &StaffCtx) -> AppResult<chrono_tz::Tz> {
    let zone: String = sqlx::query_scalar("SELECT time_zone FROM practices WHERE id = $1")
        .bind(ctx.practice_id)
        .fetch_one(ctx.st.db.read())
        .await?;
    Ok(zone.parse().unwrap_or(chrono_tz::UTC))
}

/// Change the chart's status if it is still `from`; false when someone else got there first.
async fn move_status(
    conn: &mut AnyConnection,
    chart_id: i64,
    from: PortalStatus,
    to: PortalStatus,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE patient_charts SET portal_status = $3 WHERE id = $1 AND portal_status = $2",
    )
    .bind(chart_id)
    .bind(from.as_str())
    .bind(to.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which way `move_links` moves a chart's links.
#[derive(Clone, Copy)]
enum Links {
    /// From `account_charts` into `revoked_links`.
    Revoke,
    /// Back from `revoked_links` into `account_charts`.
    Restore,
}

/// Move every link of `chart_id` between the live and the revoked table.
async fn move_links(
    conn: &mut AnyConnection,
    way: Links,
    chart_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (from, to, stamp) = match way {
        Links::Revoke => ("account_charts", "revoked_links", "revoked_at"),
        Links::Restore => ("revoked_links", "account_charts", "created_at"),
    };
    sqlx::query(&format!(
        "INSERT INTO {to} (account_id, chart_id, relationship, {stamp}) \
         SELECT account_id, chart_id, relationship, $2 FROM {from} WHERE chart_id = $1"
    ))
    .bind(chart_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!("DELETE FROM {from} WHERE chart_id = $1"))
        .bind(chart_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// End every session of the accounts linked (or just unlinked) to `chart_id`.
async fn end_sessions_of(conn: &mut AnyConnection, account_ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in account_ids {
        sqlx::query("DELETE FROM sessions WHERE patient_account_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn linked_accounts(
    conn: &mut AnyConnection,
    table: &str,
    chart_id: i64,
    only_self: bool,
) -> Result<Vec<i64>, sqlx::Error> {
    let filter = if only_self {
        " AND relationship = 'self'"
    } else {
        ""
    };
    sqlx::query_scalar(&format!(
        "SELECT account_id FROM {table} WHERE chart_id = $1{filter}"
    ))
    .bind(chart_id)
    .fetch_all(conn)
    .await
}

/// Accounts left with no record cannot be used; accounts with one again can.
async fn refresh_account_status(conn: &mut AnyConnection, ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query(
            "UPDATE portal_accounts SET status = CASE WHEN EXISTS \
             (SELECT 1 FROM account_charts WHERE account_id = $1) THEN 'active' ELSE 'revoked' END \
             WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Write a new invitation and its email. Earlier pending invitations stop working.
async fn invite_in(
    conn: &mut AnyConnection,
    ctx: &StaffCtx,
    chart: &ChartRow,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE portal_invitations SET status = 'replaced' WHERE chart_id = $1 AND status = 'pending'",
    )
    .bind(chart.id)
    .execute(&mut *conn)
    .await?;
    let link_token = token::new_token();
    let salt = token::random_hex(16);
    sqlx::query(
        "INSERT INTO portal_invitations (chart_id, token_hash, pin_salt, status, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6)",
    )
    .bind(chart.id)
    .bind(token::token_hash(&link_token))
    .bind(&salt)
    .bind(ctx.staff_id)
    .bind(now)
    .bind(now + INVITATION_TTL_SECS)
    .execute(&mut *conn)
    .await?;
    let (practice, phone): (String, String) =
        sqlx::query_as("SELECT name, phone FROM practices WHERE id = $1")
            .bind(ctx.practice_id)
            .fetch_one(&mut *conn)
            .await?;
    let given: String = sqlx::query_scalar("SELECT given_name FROM patient_charts WHERE id = $1")
        .bind(chart.id)
        .fetch_one(&mut *conn)
        .await?;
    let link = format!("{}/enroll/{link_token}", ctx.st.config.base_url);
    let body = format!(
        "Hello {given},\n\n{practice} invites you to its patient portal, where you can see your \
         appointments and health record and write to your care team.\n\n\
         Access your records: {link}\n\n\
         To confirm it is you, have the access code (PIN) the office gave you and your date of \
         birth ready, or get a security code by text or voice call to the phone number the office \
         has for you.\n\nThe link works once and expires in 14 days. If it has expired, ask the \
         office to send a new invitation{}.\n",
        if phone.is_empty() {
            String::new()
        } else {
            format!(" ({phone})")
        }
    );
    outbox::enqueue(
        conn,
        now,
        Message {
            channel: Channel::Email,
            to: &chart.email,
            subject: &format!("{practice} invites you to your patient portal"),
            body: &body,
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

/// One of the panel's actions on a chart.
pub async fn act(chart_id: i64, action: AccessAction) -> AppResult<()> {
    let ctx = context().await?;
    let chart = load_chart(&ctx, chart_id).await?;
    let now = ctx.st.clock.now();
    if action.invites() && !may_invite(&ctx).await? {
        audit_access(&ctx, chart_id, "portal.denied", action.as_str(), now).await?;
        return Err(AppError::Forbidden);
    }
    if !action.allowed_in(chart.status) {
        return Err(AppError::Conflict(format!(
            "This patient's portal access has changed ({}). Reload to see where it stands.",
            chart.status.label().trim_start_matches("Portal: ")
        )));
    }
    if action.invites() {
        if let Some(m) = email_problem(&chart.email) {
            return Err(AppError::invalid(format!(
                "Add the patient's email address before inviting them. {m}"
            )));
        }
    }
    let mut tx = ctx.st.db.begin().await?;
    if !move_status(&mut tx, chart_id, chart.status, action.leads_to()).await? {
        return Err(AppError::Conflict(
            "This patient's portal access has just changed. Reload to see where it stands.".into(),
        ));
    }
    match action {
        AccessAction::Invite | AccessAction::Resend => {
            invite_in(&mut tx, &ctx, &chart, now).await?
        }
        AccessAction::Cancel => {
            sqlx::query(
                "UPDATE portal_invitations SET status = 'cancelled' WHERE chart_id = $1 AND status = 'pending'",
            )
            .bind(chart_id)
            .execute(&mut *tx)
            .await?;
        }
        AccessAction::Revoke => {
            let ids = linked_accounts(&mut tx, "account_charts", chart_id, false).await?;
            move_links(&mut tx, Links::Revoke, chart_id, now).await?;
            end_sessions_of(&mut tx, &ids).await?;
            refresh_account_status(&mut tx, &ids).await?;
        }
        AccessAction::Reenable => {
            let ids = linked_accounts(&mut tx, "revoked_links", chart_id, false).await?;
            move_links(&mut tx, Links::Restore, chart_id, now).await?;
            refresh_account_status(&mut tx, &ids).await?;
        }
        AccessAction::Reset => {
            // The chart and everything in it stay; the patient's own account lets go of it and
            // a new invitation follows. The old username stays taken, so the patient chooses
            // a new one. Representatives keep their access (restored if it was revoked).
            let mut ids = linked_accounts(&mut tx, "account_charts", chart_id, true).await?;
            ids.extend(linked_accounts(&mut tx, "revoked_links", chart_id, true).await?);
            for table in ["account_charts", "revoked_links"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE chart_id = $1 AND relationship = 'self'"
                ))
                .bind(chart_id)
                .execute(&mut *tx)
                .await?;
            }
            move_links(&mut tx, Links::Restore, chart_id, now).await?;
            end_sessions_of(&mut tx, &ids).await?;
            refresh_account_status(&mut tx, &ids).await?;
            invite_in(&mut tx, &ctx, &chart, now).await?;
        }
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action: &format!("portal.{}", action.as_str()),
            chart_id: Some(chart_id),
            client: Some(&ctx.client),
            detail: "",
        },
    )
    .await?;
    // Whoever lost access has open live streams to end.
    let signals: &[Signal] = if matches!(action, AccessAction::Revoke | AccessAction::Reset) {
        &[Signal::Access { chart: chart_id }]
    } else {
        &[]
    };
    ctx.st.live.commit(tx, signals).await?;
    Ok(())
}

async fn audit_access(
    ctx: &StaffCtx,
    chart_id: i64,
    action: &str,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    audit::record_alone(
        &ctx.st.db,
        now,
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action,
            chart_id: Some(chart_id),
            client: Some(&ctx.client),
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Edit the chart's email and phone.
pub async fn update_contact(chart_id: i64, email: String, phone: String) -> AppResult<()> {
    let ctx = context().await?;
    load_chart(&ctx, chart_id).await?;
    let email = email.trim().to_string();
    let phone = phone.trim().to_string();
    let mut problems = Vec::new();
    if !email.is_empty() {
        if let Some(m) = email_problem(&email) {
            problems.push(FieldError {
                field: "email".into(),
                message: m.into(),
            });
        }
    }
    if !phone.is_empty() {
        if let Some(m) = phone_problem(&phone) {
            problems.push(FieldError {
                field: "phone".into(),
                message: m.into(),
            });
        }
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    sqlx::query("UPDATE patient_charts SET email = $2, phone = $3 WHERE id = $1")
        .bind(chart_id)
        .bind(&email)
        .bind(&phone)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action: "portal.contact",
            chart_id: Some(chart_id),
            client: Some(&ctx.client),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Give an existing portal account access to this chart as its representative (a parent,
/// guardian or caregiver), by the account's username.
pub async fn link_representative(chart_id: i64, username: String) -> AppResult<()> {
    let ctx = context().await?;
    if !may_invite(&ctx).await? {
        return Err(AppError::Forbidden);
    }
    let chart = load_chart(&ctx, chart_id).await?;
    let username = username.trim().to_lowercase();
    let account: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM portal_accounts WHERE username = $1 AND status = 'active'",
    )
    .bind(&username)
    .fetch_optional(ctx.st.db.read())
    .await?;
    let Some(account_id) = account else {
        return Err(AppError::field(
            "username",
            "No active portal account has that username.",
        ));
    };
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let added = sqlx::query(
        "INSERT INTO account_charts (account_id, chart_id, relationship, created_at) \
         VALUES ($1, $2, 'representative', $3) ON CONFLICT (account_id, chart_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(chart_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() == 0 {
        return Err(AppError::field(
            "username",
            "That account can already see this record.",
        ));
    }
    if chart.status == PortalStatus::NotInvited {
        move_status(&mut tx, chart_id, chart.status, PortalStatus::Active).await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action: "portal.representative",
            chart_id: Some(chart_id),
            client: Some(&ctx.client),
            detail: &format!("account:{account_id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The practice's staff and who may invite patients.
pub async fn inviters() -> AppResult<(bool, Vec<InviterRow>)> {
    let ctx = context().await?;
    let rows = sqlx::query(
        "SELECT id, display_name, role, CASE WHEN can_invite THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END \
         FROM staff_accounts WHERE practice_id = $1 ORDER BY display_name",
    )
    .bind(ctx.practice_id)
    .fetch_all(ctx.st.db.read())
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            let role: String = r.try_get(2)?;
            Ok(InviterRow {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                role: StaffRole::parse(&role)
                    .map(|r| r.label().to_string())
                    .unwrap_or(role),
                can_invite: r.try_get::<i64, _>(3)? == 1,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((ctx.role == StaffRole::Admin, list))
}

/// Admins choose who may invite patients. `allowed` lists the staff ids that may.
pub async fn set_inviters(allowed: Vec<i64>) -> AppResult<()> {
    let ctx = context().await?;
    if ctx.role != StaffRole::Admin {
        return Err(AppError::Forbidden);
    }
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM staff_accounts WHERE practice_id = $1")
        .bind(ctx.practice_id)
        .fetch_all(&mut *tx)
        .await?;
    for id in ids {
        let may = allowed.contains(&id);
        sqlx::query(&format!(
            "UPDATE staff_accounts SET can_invite = {} WHERE id = $1",
            if may { "TRUE" } else { "FALSE" }
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(ctx.staff_id),
            action: "settings.inviters",
            chart_id: None,
            client: Some(&ctx.client),
            detail: &format!("{allowed:?}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_eight_digits_and_need_the_key() {
        let a = pin_for(b"key-one", "salt");
        assert_eq!(a.len(), 8);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(a, pin_for(b"key-one", "salt"));
        assert_ne!(a, pin_for(b"key-two", "salt"));
        assert_ne!(a, pin_for(b"key-one", "other"));
    }

    #[test]
    fn dates_read_as_the_practice_writes_them() {
        assert_eq!(us_date("1986-04-12"), "04/12/1986");
    }
}
