//! Two-factor sign-in for staff (TOTP, RFC 6238). After a correct password a staff member
//! whose account needs a second factor gets only a sign-in step (a cookie naming a row, five
//! minutes), never a session; the session is made once the code is right. Admins must have a
//! second factor; a practice may require it of everyone. Wrong codes count against the same
//! throttle as wrong passwords, a code is accepted once, and the secret is stored sealed.

pub mod qr;
pub mod recovery;
pub mod seal;
pub mod totp;

use sqlx::{AnyConnection, Row};

use crate::{
    error::{AppError, AppResult},
    model::{
        two_factor::{SignInStep, TwoFactorSetup, TwoFactorStatus},
        StaffRole,
    },
    ssr::{
        appointments::staff::context,
        audit::{self, Actor, Entry},
        auth::begin_session,
        request::{self, state},
        schedule::format_instant,
        session::Principal,
        staff_accounts::{admin, end_sessions, member},
        state::AppState,
        throttle, token,
    },
    validate::safe_next,
};

pub const STEP_COOKIE: &str = "portico_2fa";
const STEP_SECS: i64 = 5 * 60;
/// Wrong codes one password may be followed by, before the password is asked for again.
const WRONG_PER_STEP: i64 = 5;
/// The name authenticator apps show above the code.
const ISSUER: &str = "Portico";

const STEP_GONE: &str = "Your sign-in timed out. Enter your password again.";
const WRONG_CODE: &str =
    "That code is not right. Enter the 6-digit code your authenticator app shows now, or a recovery code.";
const REUSED_CODE: &str =
    "That code was already used. Wait for your app to show the next one, then enter it.";
const TOO_MANY: &str = "Too many wrong codes. Enter your password again.";

fn step_cookie(st: &AppState, token: &str, max_age: i64) -> String {
    let secure = if st.config.is_production() {
        "; Secure"
    } else {
        ""
    };
    format!("{STEP_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Whether a staff member must use a second factor, and whether one is set up.
async fn needs(conn: &mut AnyConnection, staff_id: i64) -> AppResult<(bool, bool)> {
    let row = sqlx::query(
        "SELECT s.role, CASE WHEN s.totp_confirmed_at IS NULL THEN CAST(0 AS BIGINT) ELSE CAST(1 AS BIGINT) END, \
         CASE WHEN p.staff_two_factor THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END \
         FROM staff_accounts s JOIN practices p ON p.id = s.practice_id WHERE s.id = $1",
    )
    .bind(staff_id)
    .fetch_one(conn)
    .await?;
    let role: String = row.try_get(0)?;
    let on = row.try_get::<i64, _>(1)? == 1;
    let practice = row.try_get::<i64, _>(2)? == 1;
    Ok((
        StaffRole::parse(&role) == Some(StaffRole::Admin) || practice,
        on,
    ))
}

/// After a correct password: sign in (`Done`), or open a step for the code or the set-up.
pub async fn after_password(
    st: &AppState,
    staff_id: i64,
    next: Option<&str>,
    client: &str,
    now: i64,
) -> AppResult<SignInStep> {
    let mut conn = st.db.read().acquire().await?;
    let (required, on) = needs(&mut conn, staff_id).await?;
    drop(conn);
    let step = if on {
        SignInStep::Code
    } else if required {
        SignInStep::SetUp
    } else {
        return Ok(SignInStep::Done);
    };
    let t = token::new_token();
    let mut tx = st.db.begin().await?;
    // Only expired steps go: the same person signing in on two devices at once keeps both.
    sqlx::query("DELETE FROM staff_sign_in_steps WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO staff_sign_in_steps (token_hash, staff_id, next_path, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token::token_hash(&t))
    .bind(staff_id)
    .bind(safe_next(next, "/staff"))
    .bind(now + STEP_SECS)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Staff(staff_id),
            action: "sign_in.password",
            chart_id: None,
            client: Some(client),
            detail: if on { "code" } else { "set-up" },
        },
    )
    .await?;
    tx.commit().await?;
    request::set_cookie(step_cookie(st, &t, STEP_SECS));
    Ok(step)
}

/// The sign-in step this browser is in.
struct Step {
    token_hash: String,
    staff_id: i64,
    next: String,
    username: String,
    sealed: String,
    confirmed: bool,
    last_step: i64,
}

impl Step {
    fn account_key(&self) -> String {
        throttle::account_key("staff", &self.username)
    }

    /// The step is over (signed in, or too many wrong codes).
    async fn end(&self, conn: &mut AnyConnection) -> AppResult<()> {
        sqlx::query("DELETE FROM staff_sign_in_steps WHERE token_hash = $1")
            .bind(&self.token_hash)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn audit(
        &self,
        conn: &mut AnyConnection,
        action: &'static str,
        client: &str,
        now: i64,
    ) -> AppResult<()> {
        audit::record(
            conn,
            now,
            Entry {
                actor: Actor::Staff(self.staff_id),
                action,
                chart_id: None,
                client: Some(client),
                detail: "",
            },
        )
        .await?;
        Ok(())
    }

    fn secret(&self, st: &AppState) -> AppResult<Vec<u8>> {
        seal::open(&st.config.secret_key, self.staff_id, &self.sealed).ok_or_else(|| {
            AppError::internal(format!(
                "staff {}'s two-factor secret does not open with this PORTICO_SECRET_KEY",
                self.staff_id
            ))
        })
    }
}

async fn current_step(st: &AppState, now: i64) -> AppResult<Step> {
    let gone = || AppError::invalid(STEP_GONE);
    let t = request::cookie(STEP_COOKIE).ok_or_else(gone)?;
    let row = sqlx::query(
        "SELECT st.token_hash, st.staff_id, st.next_path, s.username, s.totp_secret, \
         CASE WHEN s.totp_confirmed_at IS NULL THEN CAST(0 AS BIGINT) ELSE CAST(1 AS BIGINT) END, s.totp_last_step \
         FROM staff_sign_in_steps st JOIN staff_accounts s ON s.id = st.staff_id \
         WHERE st.token_hash = $1 AND st.expires_at > $2 AND s.active = TRUE AND s.password_hash <> ''",
    )
    .bind(token::token_hash(&t))
    .bind(now)
    .fetch_optional(st.db.read())
    .await?
    .ok_or_else(gone)?;
    Ok(Step {
        token_hash: row.try_get(0)?,
        staff_id: row.try_get(1)?,
        next: row.try_get(2)?,
        username: row.try_get(3)?,
        sealed: row.try_get(4)?,
        confirmed: row.try_get::<i64, _>(5)? == 1,
        last_step: row.try_get(6)?,
    })
}

/// Refuse while the sign-in throttle says wait (the password's and the codes' alike).
async fn throttled(st: &AppState, step: &Step, client: &str, now: i64) -> AppResult<()> {
    let account = step.account_key();
    let wait = throttle::check(
        &st.db,
        &[
            (account.as_str(), throttle::ACCOUNT),
            (client, throttle::ADDRESS),
        ],
        now,
    )
    .await?;
    if wait > 0 {
        Err(AppError::TooManyRequests(throttle::message(wait)))
    } else {
        Ok(())
    }
}

/// A wrong (or reused) code: counted against the throttle and the step; the step ends after
/// a few. Returns the error to show.
async fn refuse(
    st: &AppState,
    step: &Step,
    client: &str,
    now: i64,
    message: &str,
) -> AppResult<AppError> {
    let mut tx = st.db.begin().await?;
    throttle::record_failure(
        &mut tx,
        &step.account_key(),
        throttle::ACCOUNT.window_secs,
        now,
    )
    .await?;
    throttle::record_failure(&mut tx, client, throttle::ADDRESS.window_secs, now).await?;
    let wrong: i64 = sqlx::query_scalar(
        "UPDATE staff_sign_in_steps SET wrong = wrong + 1 WHERE token_hash = $1 RETURNING wrong",
    )
    .bind(&step.token_hash)
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or(WRONG_PER_STEP);
    let over = wrong >= WRONG_PER_STEP;
    if over {
        step.end(&mut tx).await?;
    }
    step.audit(&mut tx, "sign_in.code_failed", client, now)
        .await?;
    tx.commit().await?;
    if over {
        request::set_cookie(step_cookie(st, "", 0));
        return Ok(AppError::invalid(TOO_MANY));
    }
    Ok(AppError::field("code", message))
}

/// Accept `step` for this account unless a code of it (or a later one) was accepted already;
/// one statement, so two requests racing with the same code cannot both win.
async fn claim_step(conn: &mut AnyConnection, staff_id: i64, step: i64) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE staff_accounts SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2",
    )
    .bind(staff_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The step is over: the session begins, and the browser goes where it was headed.
async fn finish(st: &AppState, step: &Step, client: &str, how: &str, now: i64) -> AppResult<()> {
    let mut conn = st.db.write().acquire().await?;
    step.end(&mut conn).await?;
    drop(conn);
    request::set_cookie(step_cookie(st, "", 0));
    begin_session(
        st,
        Principal::Staff(step.staff_id),
        &step.account_key(),
        client,
        how,
        now,
    )
    .await?;
    if request::is_plain_form_post() {
        leptos_axum::redirect(&step.next);
    }
    Ok(())
}

/// The second step: a code from the app, or one of the recovery codes.
pub async fn verify(code: String) -> AppResult<String> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let step = current_step(&st, now).await?;
    if !step.confirmed {
        return Err(AppError::invalid(STEP_GONE));
    }
    throttled(&st, &step, &client, now).await?;
    if recovery::looks_like(&code) {
        let hash = recovery::hash(&st.config.secret_key, &code);
        let used = sqlx::query(
            "UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(step.staff_id)
        .bind(&hash)
        .bind(now)
        .execute(st.db.write())
        .await?;
        if used.rows_affected() != 1 {
            return Err(refuse(&st, &step, &client, now, WRONG_CODE).await?);
        }
        finish(&st, &step, &client, "recovery code", now).await?;
        return Ok(step.next);
    }
    let secret = step.secret(&st)?;
    let claimed = match totp::verify(&secret, &code, now, step.last_step) {
        Ok(n) => {
            let mut conn = st.db.write().acquire().await?;
            claim_step(&mut conn, step.staff_id, n).await?
        }
        Err(totp::Refusal::Reused) => false,
        Err(totp::Refusal::Wrong) => {
            return Err(refuse(&st, &step, &client, now, WRONG_CODE).await?)
        }
    };
    if !claimed {
        return Err(refuse(&st, &step, &client, now, REUSED_CODE).await?);
    }
    finish(&st, &step, &client, "authenticator code", now).await?;
    Ok(step.next)
}

fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The set-up page: a secret (kept across reloads until confirmed, so a scanned code stays
/// good) and a fresh set of recovery codes (a reload replaces them: each set is shown once).
pub async fn setup() -> AppResult<TwoFactorSetup> {
    let st = state()?;
    let now = st.clock.now();
    let step = current_step(&st, now).await?;
    if step.confirmed {
        return Err(AppError::invalid(STEP_GONE));
    }
    let secret = match seal::open(&st.config.secret_key, step.staff_id, &step.sealed) {
        Some(s) if !s.is_empty() => s,
        _ => {
            let mut fresh = vec![0u8; totp::SECRET_BYTES];
            // As in `token::random_hex`.
            #[allow(clippy::expect_used)]
            getrandom::fill(&mut fresh).expect("operating system random number generator failed");
            fresh
        }
    };
    let codes = recovery::generate();
    let mut tx = st.db.begin().await?;
    sqlx::query(
        "UPDATE staff_accounts SET totp_secret = $2 WHERE id = $1 AND totp_confirmed_at IS NULL",
    )
    .bind(step.staff_id)
    .bind(seal::seal(&st.config.secret_key, step.staff_id, &secret))
    .execute(&mut *tx)
    .await?;
    recovery::replace(&mut tx, &st.config.secret_key, step.staff_id, &codes).await?;
    tx.commit().await?;
    let uri = totp::otpauth_uri(ISSUER, &step.username, &secret);
    Ok(TwoFactorSetup {
        account: step.username,
        qr_svg: qr::svg(&uri).ok_or_else(|| AppError::internal("the QR code could not be made"))?,
        secret: grouped(&totp::to_base32(&secret)),
        recovery_codes: codes,
    })
}

/// The first code from the app confirms the set-up, and signs in.
pub async fn confirm(code: String) -> AppResult<String> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let step = current_step(&st, now).await?;
    if step.confirmed || step.sealed.is_empty() {
        return Err(AppError::invalid(STEP_GONE));
    }
    throttled(&st, &step, &client, now).await?;
    let secret = step.secret(&st)?;
    let n = match totp::verify(&secret, &code, now, step.last_step) {
        Ok(n) => n,
        Err(totp::Refusal::Reused) => {
            return Err(refuse(&st, &step, &client, now, REUSED_CODE).await?)
        }
        Err(totp::Refusal::Wrong) => {
            return Err(refuse(&st, &step, &client, now, WRONG_CODE).await?)
        }
    };
    let mut tx = st.db.begin().await?;
    if !claim_step(&mut tx, step.staff_id, n).await? {
        drop(tx);
        return Err(refuse(&st, &step, &client, now, REUSED_CODE).await?);
    }
    sqlx::query("UPDATE staff_accounts SET totp_confirmed_at = $2 WHERE id = $1")
        .bind(step.staff_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    step.audit(&mut tx, "settings.two_factor_on", &client, now)
        .await?;
    tx.commit().await?;
    finish(&st, &step, &client, "authenticator code", now).await?;
    Ok(step.next)
}

/// A staff member's own two-factor state.
pub async fn status() -> AppResult<TwoFactorStatus> {
    let ctx = context().await?;
    let mut conn = ctx.st.db.read().acquire().await?;
    let (required, on) = needs(&mut conn, ctx.staff_id).await?;
    let row = sqlx::query(
        "SELECT s.totp_confirmed_at, p.time_zone, \
         (SELECT COUNT(*) FROM staff_recovery_codes r WHERE r.staff_id = s.id AND r.used_at IS NULL) \
         FROM staff_accounts s JOIN practices p ON p.id = s.practice_id WHERE s.id = $1",
    )
    .bind(ctx.staff_id)
    .fetch_one(&mut *conn)
    .await?;
    let since: Option<i64> = row.try_get(0)?;
    let tz: String = row.try_get(1)?;
    Ok(TwoFactorStatus {
        on,
        since: since
            .map(|t| format_instant(t, crate::ssr::appointments::store::zone(&tz)))
            .unwrap_or_default(),
        recovery_codes_left: if on { row.try_get(2)? } else { 0 },
        required,
    })
}

/// An admin clears a colleague's second factor (a lost phone): their sessions end, and their
/// next sign-in sets it up again if it is required of them.
pub async fn reset(id: i64) -> AppResult<()> {
    let ctx = admin().await?;
    let (name, _, _, _) = member(&ctx, id).await?;
    if id == ctx.staff_id {
        return Err(AppError::Conflict(
            "Ask another admin to reset your own two-factor sign-in.".into(),
        ));
    }
    let mut tx = ctx.st.db.begin().await?;
    sqlx::query(
        "UPDATE staff_accounts SET totp_secret = '', totp_confirmed_at = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    ctx.audit_in(&mut tx, "staff.two_factor_reset", None, &name)
        .await?;
    end_sessions(&ctx.st, tx, vec![id]).await
}

/// Whether every staff member of the practice must use a second factor. Turning it on ends
/// the sessions of those who have none yet: they set it up at their next sign-in.
pub async fn set_required(required: bool) -> AppResult<()> {
    let ctx = admin().await?;
    let mut tx = ctx.st.db.begin().await?;
    let sql = if required {
        "UPDATE practices SET staff_two_factor = TRUE WHERE id = $1"
    } else {
        "UPDATE practices SET staff_two_factor = FALSE WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(ctx.practice_id)
        .execute(&mut *tx)
        .await?;
    ctx.audit_in(
        &mut tx,
        "settings.two_factor",
        None,
        if required {
            "required for all staff"
        } else {
            "required for admins only"
        },
    )
    .await?;
    if !required {
        tx.commit().await?;
        return Ok(());
    }
    let without: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM staff_accounts WHERE practice_id = $1 AND totp_confirmed_at IS NULL AND id <> $2",
    )
    .bind(ctx.practice_id)
    .bind(ctx.staff_id)
    .fetch_all(&mut *tx)
    .await?;
    end_sessions(&ctx.st, tx, without).await
}
