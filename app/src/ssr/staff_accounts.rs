//! Staff accounts: admins add colleagues (who choose a password through an emailed link),
//! change roles, deactivate and reactivate them and reset their passwords; everyone changes
//! their own password and sees their own sign-ins. Every change is audited. A practice always
//! keeps one active admin.

use sqlx::{AnyConnection, Row};

use crate::{
    domain::access::email_problem,
    error::{AppError, AppResult},
    model::{
        appointments::Named,
        staff_accounts::{PasswordLink, SignInRow, StaffList, StaffMember},
        StaffRole,
    },
    ssr::{
        appointments::{
            staff::{context, providers, StaffCtx},
            store::zone,
        },
        audit::{self, Actor, Entry},
        messaging::live::Signal,
        new_password,
        outbox::{self, Channel, Message},
        request::{self, state},
        schedule::format_instant,
        state::AppState,
        token,
    },
    validate::Username,
};

/// How long a set-password link works.
pub const LINK_HOURS: i64 = 72;
const NAME_MAX: usize = 100;
pub const INVALID_LINK: &str =
    "This link has expired or was already used. Ask your practice admin for a new one.";
const LAST_ADMIN: &str =
    "The practice needs at least one active admin. Make someone else an admin first.";

pub(crate) async fn admin() -> AppResult<StaffCtx> {
    let ctx = context().await?;
    if ctx.role != StaffRole::Admin {
        ctx.audit("staff.denied", None, "").await?;
        return Err(AppError::Forbidden);
    }
    Ok(ctx)
}

pub async fn list() -> AppResult<StaffList> {
    let ctx = admin().await?;
    let (tz_name, two_factor_required): (String, i64) = sqlx::query_as(
        "SELECT time_zone, CASE WHEN staff_two_factor THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END \
         FROM practices WHERE id = $1",
    )
    .bind(ctx.practice_id)
    .fetch_one(ctx.st.db.read())
    .await?;
    let tz = zone(&tz_name);
    let rows = sqlx::query(
        "SELECT s.id, s.display_name, s.email, s.username, s.role, s.provider_id, \
         COALESCE(v.display_name, ''), CASE WHEN s.active THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END, \
         CASE WHEN s.password_hash = '' THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END, \
         (SELECT MAX(a.occurred_at) FROM audit_log a WHERE a.actor_kind = 'staff' \
          AND a.actor_id = s.id AND a.action = 'sign_in'), \
         CASE WHEN s.totp_confirmed_at IS NULL THEN CAST(0 AS BIGINT) ELSE CAST(1 AS BIGINT) END \
         FROM staff_accounts s LEFT JOIN providers v ON v.id = s.provider_id \
         WHERE s.practice_id = $1 ORDER BY s.active DESC, s.display_name, s.id",
    )
    .bind(ctx.practice_id)
    .fetch_all(ctx.st.db.read())
    .await?;
    let members = rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let role: String = r.try_get(4)?;
            let provider_id: Option<i64> = r.try_get(5)?;
            let last: Option<i64> = r.try_get(9)?;
            Ok(StaffMember {
                id,
                name: r.try_get(1)?,
                email: r.try_get(2)?,
                username: r.try_get(3)?,
                role: StaffRole::parse(&role).unwrap_or(StaffRole::FrontDesk),
                provider: match provider_id {
                    Some(pid) => Some(Named {
                        id: pid,
                        name: r.try_get(6)?,
                    }),
                    None => None,
                },
                active: r.try_get::<i64, _>(7)? == 1,
                invited: r.try_get::<i64, _>(8)? == 1,
                last_sign_in: last.map(|t| format_instant(t, tz)).unwrap_or_default(),
                is_you: id == ctx.staff_id,
                two_factor: r.try_get::<i64, _>(10)? == 1,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(StaffList {
        members,
        providers: providers(&ctx).await?,
        two_factor_required: two_factor_required == 1,
    })
}

/// A role from the form, with the provider it needs (and only a provider has one).
async fn checked_role(
    ctx: &StaffCtx,
    role: &str,
    provider: &str,
) -> AppResult<(StaffRole, Option<i64>)> {
    let role = StaffRole::parse(role)
        .ok_or_else(|| AppError::field("role", "Choose a role from the list."))?;
    let provider = match provider.trim() {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::field("provider", "Choose a provider from the list."))?,
        ),
    };
    if role != StaffRole::Provider {
        return Ok((role, None));
    }
    let Some(pid) = provider else {
        return Err(AppError::field(
            "provider",
            "Choose the provider whose schedule this account is for.",
        ));
    };
    if !providers(ctx).await?.iter().any(|p| p.id == pid) {
        return Err(AppError::field(
            "provider",
            "Choose a provider of this practice.",
        ));
    }
    Ok((role, Some(pid)))
}

/// Queue the set-password email with a fresh link, ending any earlier link.
async fn send_link(
    st: &AppState,
    conn: &mut AnyConnection,
    staff_id: i64,
    email: &str,
    name: &str,
    practice: &str,
    first: bool,
) -> AppResult<()> {
    let now = st.clock.now();
    sqlx::query(
        "UPDATE staff_password_links SET used_at = $2 WHERE staff_id = $1 AND used_at IS NULL",
    )
    .bind(staff_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let t = token::new_token();
    sqlx::query(
        "INSERT INTO staff_password_links (staff_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(staff_id)
    .bind(token::token_hash(&t))
    .bind(now)
    .bind(now + LINK_HOURS * 3600)
    .execute(&mut *conn)
    .await?;
    let (subject, opening) = if first {
        (
            format!("Your Portico staff account at {practice}"),
            format!("An account was made for you on {practice}'s Portico staff pages."),
        )
    } else {
        (
            "Choose a new Portico password".to_string(),
            format!("An admin at {practice} reset the password of your Portico staff account."),
        )
    };
    let body = format!(
        "Hello {name},\n\n{opening}\n\nChoose your password here (the link works once, for \
         {LINK_HOURS} hours):\n{}/staff/set-password/{t}\n\nThen sign in at {}/staff/login with \
         the username {email}.\n\nIf you did not expect this email, tell your practice admin.\n",
        st.config.base_url, st.config.base_url
    );
    outbox::enqueue(
        conn,
        now,
        Message {
            channel: Channel::Email,
            to: email,
            subject: &subject,
            body: &body,
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

async fn practice_name(ctx: &StaffCtx) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT name FROM practices WHERE id = $1")
            .bind(ctx.practice_id)
            .fetch_one(ctx.st.db.read())
            .await?,
    )
}

pub async fn add(name: String, email: String, role: String, provider: String) -> AppResult<i64> {
    let ctx = admin().await?;
    let name = name.trim().to_string();
    let email = email.trim().to_lowercase();
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        problems.push(crate::error::FieldError {
            field: "name".into(),
            message: format!("Enter the person's name (at most {NAME_MAX} characters)."),
        });
    }
    if let Some(m) = email_problem(&email).or_else(|| Username::parse(&email).err()) {
        problems.push(crate::error::FieldError {
            field: "email".into(),
            message: m.into(),
        });
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    let (role, provider) = checked_role(&ctx, &role, &provider).await?;
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_accounts WHERE username = $1")
        .bind(&email)
        .fetch_one(ctx.st.db.read())
        .await?;
    if taken > 0 {
        return Err(AppError::field(
            "email",
            "A staff account with this email already exists.",
        ));
    }
    let practice = practice_name(&ctx).await?;
    let now = ctx.st.clock.now();
    let mut tx = ctx.st.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff_accounts (practice_id, username, password_hash, display_name, role, \
         can_invite, active, created_at, email, provider_id) \
         VALUES ($1, $2, '', $3, $4, TRUE, TRUE, $5, $2, $6) RETURNING id",
    )
    .bind(ctx.practice_id)
    .bind(&email)
    .bind(&name)
    .bind(role.as_str())
    .bind(now)
    .bind(provider)
    .fetch_one(&mut *tx)
    .await?;
    send_link(&ctx.st, &mut tx, id, &email, &name, &practice, true).await?;
    ctx.audit_in(
        &mut tx,
        "staff.add",
        None,
        &format!("{name} <{email}> as {}", role.label()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A member of the caller's practice: (name, email, role, active).
pub(crate) async fn member(
    ctx: &StaffCtx,
    id: i64,
) -> AppResult<(String, String, StaffRole, bool)> {
    let r = sqlx::query(
        "SELECT display_name, email, role, CASE WHEN active THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END \
         FROM staff_accounts WHERE id = $1 AND practice_id = $2",
    )
    .bind(id)
    .bind(ctx.practice_id)
    .fetch_optional(ctx.st.db.read())
    .await?
    .ok_or_else(|| AppError::NotFound("We could not find that staff member.".into()))?;
    let role: String = r.try_get(2)?;
    Ok((
        r.try_get(0)?,
        r.try_get(1)?,
        StaffRole::parse(&role).unwrap_or(StaffRole::FrontDesk),
        r.try_get::<i64, _>(3)? == 1,
    ))
}

/// Whether the practice has an active admin other than `id`.
async fn other_admin(conn: &mut AnyConnection, practice: i64, id: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_accounts WHERE practice_id = $1 AND id <> $2 \
         AND role = 'admin' AND active = TRUE",
    )
    .bind(practice)
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Commit `tx`, ending every session of these staff members at once and telling their open
/// pages.
pub(crate) async fn end_sessions(
    st: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    ids: Vec<i64>,
) -> AppResult<()> {
    for id in &ids {
        sqlx::query("DELETE FROM sessions WHERE staff_account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let signals: Vec<Signal> = ids
        .into_iter()
        .map(|account| Signal::SignedOut {
            staff: true,
            account,
        })
        .collect();
    st.live.commit(tx, &signals).await?;
    Ok(())
}

pub async fn change_role(id: i64, role: String, provider: String) -> AppResult<()> {
    let ctx = admin().await?;
    let (name, _, was, _) = member(&ctx, id).await?;
    let (role, provider) = checked_role(&ctx, &role, &provider).await?;
    let mut tx = ctx.st.db.begin().await?;
    if was == StaffRole::Admin
        && role != StaffRole::Admin
        && !other_admin(&mut tx, ctx.practice_id, id).await?
    {
        return Err(AppError::Conflict(LAST_ADMIN.into()));
    }
    sqlx::query("UPDATE staff_accounts SET role = $2, provider_id = $3 WHERE id = $1")
        .bind(id)
        .bind(role.as_str())
        .bind(provider)
        .execute(&mut *tx)
        .await?;
    ctx.audit_in(
        &mut tx,
        "staff.role",
        None,
        &format!("{name}: {} → {}", was.label(), role.label()),
    )
    .await?;
    let unproven: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM staff_accounts WHERE id = $1 AND totp_confirmed_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    match unproven {
        // A new admin without a second factor signs in again and sets one up.
        Some(id) if role == StaffRole::Admin && was != StaffRole::Admin && id != ctx.staff_id => {
            end_sessions(&ctx.st, tx, vec![id]).await
        }
        _ => {
            tx.commit().await?;
            Ok(())
        }
    }
}

/// Deactivate (every session ends at once; their work stays) or reactivate a member.
pub async fn set_active(id: i64, active: bool) -> AppResult<()> {
    let ctx = admin().await?;
    let (name, _, role, _) = member(&ctx, id).await?;
    let mut tx = ctx.st.db.begin().await?;
    if !active && role == StaffRole::Admin && !other_admin(&mut tx, ctx.practice_id, id).await? {
        return Err(AppError::Conflict(LAST_ADMIN.into()));
    }
    let sql = if active {
        "UPDATE staff_accounts SET active = TRUE WHERE id = $1"
    } else {
        "UPDATE staff_accounts SET active = FALSE WHERE id = $1"
    };
    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    let action = if active {
        "staff.reactivate"
    } else {
        "staff.deactivate"
    };
    ctx.audit_in(&mut tx, action, None, &name).await?;
    if active {
        tx.commit().await?;
        Ok(())
    } else {
        end_sessions(&ctx.st, tx, vec![id]).await
    }
}

/// The old password stops working and every session ends; a link to choose a new one is
/// emailed to the member.
pub async fn reset_password(id: i64) -> AppResult<()> {
    let ctx = admin().await?;
    let (name, email, _, active) = member(&ctx, id).await?;
    if !active {
        return Err(AppError::Conflict(
            "Reactivate the account before resetting its password.".into(),
        ));
    }
    if email.is_empty() {
        return Err(AppError::Conflict(
            "This account has no email address to send the link to.".into(),
        ));
    }
    let practice = practice_name(&ctx).await?;
    let mut tx = ctx.st.db.begin().await?;
    sqlx::query("UPDATE staff_accounts SET password_hash = '' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    send_link(&ctx.st, &mut tx, id, &email, &name, &practice, false).await?;
    ctx.audit_in(&mut tx, "staff.password_reset", None, &name)
        .await?;
    end_sessions(&ctx.st, tx, vec![id]).await
}

/// The live link for `t`: (link id, staff id, name, username).
async fn live_link(st: &AppState, t: &str) -> AppResult<Option<(i64, i64, String, String)>> {
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let r = sqlx::query(
        "SELECT l.id, s.id, s.display_name, s.username FROM staff_password_links l \
         JOIN staff_accounts s ON s.id = l.staff_id \
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND s.active = TRUE",
    )
    .bind(token::token_hash(t))
    .bind(st.clock.now())
    .fetch_optional(st.db.read())
    .await?;
    r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
}

pub async fn link_state(t: String) -> AppResult<PasswordLink> {
    let st = state()?;
    Ok(match live_link(&st, &t).await? {
        Some((_, _, name, username)) => PasswordLink::Valid { name, username },
        None => PasswordLink::Invalid,
    })
}

/// Choose a password through the emailed link. Single use; the member then signs in.
pub async fn set_password(t: String, password: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let (link, id, _, username) = live_link(&st, &t)
        .await?
        .ok_or_else(|| AppError::NotFound(INVALID_LINK.into()))?;
    new_password::check(&password, &username)?;
    let hash = st.hasher.hash(password).await?;
    let mut tx = st.db.begin().await?;
    let claimed = sqlx::query(
        "UPDATE staff_password_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(link)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::NotFound(INVALID_LINK.into()));
    }
    sqlx::query("UPDATE staff_accounts SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(id),
            action: "staff.password_set",
            chart_id: None,
            client: Some(&client),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    if request::is_plain_form_post() {
        leptos_axum::redirect("/staff/login?password_set=1");
    }
    Ok(())
}

/// A member changes their own password; their other sessions end, this one stays.
pub async fn change_own_password(current: String, password: String) -> AppResult<()> {
    let ctx = context().await?;
    let (username, stored): (String, String) =
        sqlx::query_as("SELECT username, password_hash FROM staff_accounts WHERE id = $1")
            .bind(ctx.staff_id)
            .fetch_one(ctx.st.db.read())
            .await?;
    let stored = (!stored.is_empty()).then_some(stored);
    if !ctx.st.hasher.verify(current, stored).await? {
        ctx.audit("settings.password_check_failed", None, "")
            .await?;
        return Err(AppError::field(
            "current",
            "That is not your current password.",
        ));
    }
    new_password::check(&password, &username)?;
    let hash = ctx.st.hasher.hash(password).await?;
    let keep = request::session().map(|s| s.id_hash).unwrap_or_default();
    let mut tx = ctx.st.db.begin().await?;
    sqlx::query("UPDATE staff_accounts SET password_hash = $2 WHERE id = $1")
        .bind(ctx.staff_id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE staff_account_id = $1 AND id_hash <> $2")
        .bind(ctx.staff_id)
        .bind(&keep)
        .execute(&mut *tx)
        .await?;
    ctx.audit_in(&mut tx, "settings.password", None, "").await?;
    tx.commit().await?;
    Ok(())
}

/// The member's own latest sign-ins, sign-outs and failed attempts.
pub async fn own_sign_ins() -> AppResult<Vec<SignInRow>> {
    let ctx = context().await?;
    let (username, tz_name): (String, String) = sqlx::query_as(
        "SELECT s.username, p.time_zone FROM staff_accounts s JOIN practices p ON p.id = s.practice_id WHERE s.id = $1",
    )
    .bind(ctx.staff_id)
    .fetch_one(ctx.st.db.read())
    .await?;
    let tz = zone(&tz_name);
    let rows = sqlx::query(
        "SELECT occurred_at, action, COALESCE(client_ip, '') FROM audit_log \
         WHERE (actor_kind = 'staff' AND actor_id = $1 AND action IN ('sign_in', 'sign_out', 'sign_in.code_failed')) \
            OR (actor_kind = 'anonymous' AND action IN ('sign_in.failed', 'sign_in.throttled') AND detail = $2) \
         ORDER BY occurred_at DESC, id DESC LIMIT 20",
    )
    .bind(ctx.staff_id)
    .bind(format!("staff:{username}"))
    .fetch_all(ctx.st.db.read())
    .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.try_get(1)?;
            let address: String = r.try_get(2)?;
            Ok(SignInRow {
                at: format_instant(r.try_get(0)?, tz),
                what: match action.as_str() {
                    "sign_in" => "Signed in",
                    "sign_out" => "Signed out",
                    "sign_in.throttled" => "Sign-in refused: too many attempts",
                    "sign_in.code_failed" => "Wrong two-factor code",
                    _ => "Sign-in failed",
                }
                .into(),
                address: address.chars().take(13).collect(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
