//! Enrollment from an invitation (SPEC §3): prove identity with the PIN and date of birth, or
//! with a code sent to the chart's phone; then link an existing account or create one; then
//! sign in.

use sqlx::{AnyConnection, Row};

use super::{
    access::pin_for,
    audit::{self, Actor, Entry},
    codes::{self, Check, Purpose, Scope},
    identity::{
        check_address, code_refusal, code_state, count_failure, deliver_code, record_proof,
        sent_before, step_proven, INVALID_PIN, PHONE_MISMATCH,
    },
    new_password,
    request::{self, state},
    session::{self, Principal},
    state::AppState,
    texts::TextChannel,
    throttle, token,
};
use crate::{
    domain::access::{dob_from_us, normalize_answer, same_phone, typed_digits, SECURITY_QUESTIONS},
    error::{AppError, AppResult, FieldError},
    model::access::{ChooseStep, LinkState, VerifyStep},
    validate::Username,
};

/// How long a proven identity lasts before the account must be created.
pub const PROOF_TTL_SECS: i64 = 30 * 60;
pub const WRONG_DOB: &str =
    "Your date of birth is incorrect. Enter it as MM/DD/YYYY, for example 04/12/1986.";
pub const LOCKED: &str = "Too many incorrect attempts today. For your security, this invitation is locked until tomorrow. Please contact your clinic to finish enrolling.";
pub const USERNAME_TAKEN: &str = "Username has already been taken";

pub struct Invitation {
    pub id: i64,
    pub chart_id: i64,
    pub pin_salt: String,
    pub status: String,
    pub expires_at: i64,
    pub verified_token_hash: Option<String>,
    pub verified_until: Option<i64>,
}

impl Invitation {
    fn scope(&self) -> Scope {
        Scope {
            purpose: Purpose::Enroll,
            subject: format!("invitation:{}", self.id),
            budget_key: format!("chart:{}", self.chart_id),
        }
    }

    /// Whether this browser proved identity with this invitation.
    fn proven(&self, now: i64) -> bool {
        step_proven(
            self.verified_token_hash.as_deref(),
            self.verified_until,
            now,
        )
    }
}

pub async fn find(st: &AppState, link_token: &str) -> AppResult<Option<Invitation>> {
    let row = sqlx::query(
        "SELECT id, chart_id, pin_salt, status, expires_at, verified_token_hash, verified_until \
         FROM portal_invitations WHERE token_hash = $1",
    )
    .bind(token::token_hash(link_token.trim()))
    .fetch_optional(st.db.read())
    .await?;
    row.map(|r| -> Result<Invitation, sqlx::Error> {
        Ok(Invitation {
            id: r.try_get(0)?,
            chart_id: r.try_get(1)?,
            pin_salt: r.try_get(2)?,
            status: r.try_get(3)?,
            expires_at: r.try_get(4)?,
            verified_token_hash: r.try_get(5)?,
            verified_until: r.try_get(6)?,
        })
    })
    .transpose()
    .map_err(Into::into)
}

struct Chart {
    given_name: String,
    family_name: String,
    date_of_birth: String,
    email: String,
    phone: String,
    practice: String,
    practice_phone: String,
}

async fn chart(st: &AppState, chart_id: i64) -> AppResult<Chart> {
    let r = sqlx::query(
        "SELECT c.given_name, c.family_name, c.date_of_birth, c.email, c.phone, p.name, p.phone \
         FROM patient_charts c JOIN practices p ON p.id = c.practice_id WHERE c.id = $1",
    )
    .bind(chart_id)
    .fetch_one(st.db.read())
    .await?;
    Ok(Chart {
        given_name: r.try_get(0)?,
        family_name: r.try_get(1)?,
        date_of_birth: r.try_get(2)?,
        email: r.try_get(3)?,
        phone: r.try_get(4)?,
        practice: r.try_get(5)?,
        practice_phone: r.try_get(6)?,
    })
}

fn dead(status: &str, expired: bool) -> LinkState {
    let (title, text) = match status {
        "used" => (
            "This invitation has already been used",
            "Your portal account is set up. Sign in with the username you chose. If you have forgotten it, use \"Forgot username?\" on the sign-in page.",
        ),
        "cancelled" => (
            "This invitation was cancelled",
            "Your clinic cancelled this invitation. If you still want portal access, ask the office to invite you again.",
        ),
        "replaced" => (
            "A newer invitation was sent",
            "Your clinic sent you a new invitation, so this link no longer works. Use the \"Access your records\" link in the most recent email.",
        ),
        _ if expired => (
            "This invitation has expired",
            "Invitation links work for 14 days. Ask your clinic to send a new invitation; it will come with a new link.",
        ),
        _ => (
            "This invitation link is not valid",
            "The link may be incomplete: open it straight from the invitation email. If it still does not work, ask your clinic to send a new invitation.",
        ),
    };
    LinkState::Dead {
        title: title.into(),
        text: text.into(),
    }
}

/// What the invitation page shows for `link_token` in this browser.
pub async fn link_state(link_token: String) -> AppResult<LinkState> {
    let st = state()?;
    let now = st.clock.now();
    let Some(inv) = find(&st, &link_token).await? else {
        return Ok(dead("unknown", false));
    };
    if inv.status != "pending" || inv.expires_at <= now {
        return Ok(dead(&inv.status, inv.expires_at <= now));
    }
    let c = chart(&st, inv.chart_id).await?;
    if inv.proven(now) {
        return Ok(LinkState::Choose(ChooseStep {
            practice: c.practice,
            given_name: c.given_name,
            suggested_username: c.email.to_lowercase(),
        }));
    }
    let scope = inv.scope();
    Ok(LinkState::Verify(VerifyStep {
        practice: c.practice,
        practice_phone: c.practice_phone,
        phone_possible: st.texts.is_some() && !c.phone.is_empty(),
        code: code_state(&st, &scope, &c.phone, now).await?,
        locked: codes::locked(&st.db, &scope, now).await?,
    }))
}

async fn live(st: &AppState, link_token: &str, now: i64) -> AppResult<Invitation> {
    match find(st, link_token).await? {
        Some(inv) if inv.status == "pending" && inv.expires_at > now => Ok(inv),
        _ => Err(AppError::NotFound(
            "This invitation link can no longer be used. Reload the page to see why.".into(),
        )),
    }
}

/// Remember in this browser that identity was proven.
async fn prove(st: &AppState, inv: &Invitation, client: &str, how: &str) -> AppResult<()> {
    record_proof(
        st,
        "UPDATE portal_invitations SET verified_token_hash = $2, verified_until = $3 \
         WHERE id = $1 AND status = 'pending'",
        inv.id,
        PROOF_TTL_SECS,
        Entry {
            actor: Actor::Anonymous,
            action: "enroll.verified",
            chart_id: Some(inv.chart_id),
            client: Some(client),
            detail: how,
        },
    )
    .await
}

fn back_to(link_token: &str) {
    if request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/enroll/{link_token}"));
    }
}

/// Step 1, by PIN and date of birth (MM/DD/YYYY).
pub async fn verify_pin(link_token: String, pin: String, date_of_birth: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let inv = live(&st, &link_token, now).await?;
    let scope = inv.scope();
    if codes::locked(&st.db, &scope, now).await? {
        return Err(AppError::TooManyRequests(LOCKED.into()));
    }
    let mut problems = Vec::new();
    let pin_typed = typed_digits(&pin);
    if pin_typed.is_none() {
        problems.push(FieldError {
            field: "pin".into(),
            message: "Enter the access code (PIN) from your clinic, digits only.".into(),
        });
    }
    let dob = dob_from_us(&date_of_birth);
    if dob.is_none() {
        problems.push(FieldError {
            field: "date_of_birth".into(),
            message: "Enter your date of birth as MM/DD/YYYY, for example 04/12/1986.".into(),
        });
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    check_address(&st, &client).await?;
    let c = chart(&st, inv.chart_id).await?;
    let pin_ok = codes::constant_time_eq(
        &pin_typed.unwrap_or_default(),
        &pin_for(&st.config.secret_key, &inv.pin_salt),
    );
    let dob_ok = dob.as_deref() == Some(c.date_of_birth.as_str());
    if !(pin_ok && dob_ok) {
        let within =
            count_failure(&st, &scope, &client, "enroll.failed", Some(inv.chart_id)).await?;
        if !within {
            return Err(AppError::TooManyRequests(LOCKED.into()));
        }
        return Err(if pin_ok {
            AppError::field("date_of_birth", WRONG_DOB)
        } else {
            AppError::field("pin", INVALID_PIN)
        });
    }
    prove(&st, &inv, &client, "pin").await?;
    back_to(&link_token);
    Ok(())
}

/// Step 1, by phone: the number typed must be the chart's; a code goes to it.
pub async fn send_code(link_token: String, phone: String, channel: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let inv = live(&st, &link_token, now).await?;
    let scope = inv.scope();
    let Some(texts) = st.texts.clone() else {
        return Err(AppError::invalid(
            "Codes by text or voice are not available. Use the PIN from your clinic instead.",
        ));
    };
    let channel = TextChannel::parse(&channel).unwrap_or(TextChannel::Sms);
    if codes::locked(&st.db, &scope, now).await? {
        return Err(AppError::TooManyRequests(LOCKED.into()));
    }
    check_address(&st, &client).await?;
    let c = chart(&st, inv.chart_id).await?;
    let resend = phone.trim().is_empty() && sent_before(&st, &scope).await?;
    if !resend && !same_phone(&phone, &c.phone) {
        if !count_failure(
            &st,
            &scope,
            &client,
            "enroll.phone_mismatch",
            Some(inv.chart_id),
        )
        .await?
        {
            return Err(AppError::TooManyRequests(LOCKED.into()));
        }
        return Err(AppError::field("phone", PHONE_MISMATCH));
    }
    deliver_code(
        &st,
        &*texts,
        &scope,
        channel,
        &c.phone,
        "",
        &client,
        Some(inv.chart_id),
        LOCKED,
    )
    .await?;
    back_to(&link_token);
    Ok(())
}

/// Step 1, by phone: the code typed.
pub async fn verify_code(link_token: String, code: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let inv = live(&st, &link_token, now).await?;
    let scope = inv.scope();
    let Some(typed) = typed_digits(&code) else {
        return Err(AppError::field(
            "code",
            "Enter the code we sent, digits only.",
        ));
    };
    check_address(&st, &client).await?;
    match codes::check(&st.db, &st.config, &scope, &typed, now).await? {
        Check::Accepted(_) => {
            prove(&st, &inv, &client, "code").await?;
            back_to(&link_token);
            Ok(())
        }
        other => {
            let mut tx = st.db.begin().await?;
            throttle::record_failure(&mut tx, &client, throttle::ADDRESS.window_secs, now).await?;
            audit::record(
                &mut tx,
                now,
                Entry {
                    actor: Actor::Anonymous,
                    action: "enroll.code_failed",
                    chart_id: Some(inv.chart_id),
                    client: Some(&client),
                    detail: "",
                },
            )
            .await?;
            tx.commit().await?;
            Err(code_refusal(other, LOCKED))
        }
    }
}

async fn proven_invitation(st: &AppState, link_token: &str, now: i64) -> AppResult<Invitation> {
    let inv = live(st, link_token, now).await?;
    if !inv.proven(now) {
        return Err(AppError::Conflict(
            "Please confirm who you are first; the confirmation lasts 30 minutes in this browser."
                .into(),
        ));
    }
    Ok(inv)
}

/// Mark the invitation used, if it still can be; false when a parallel request used it.
async fn consume(
    conn: &mut AnyConnection,
    inv: &Invitation,
    account_id: i64,
    now: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE portal_invitations SET status = 'used', used_at = $2, account_id = $3 \
         WHERE id = $1 AND status = 'pending' AND expires_at > $2 AND verified_until > $2",
    )
    .bind(inv.id)
    .bind(now)
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Link the chart to the account, activate it, sign the browser in.
async fn finish(
    st: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    inv: &Invitation,
    account_id: i64,
    client: &str,
    how: &str,
) -> AppResult<()> {
    let now = st.clock.now();
    if !consume(&mut tx, inv, account_id, now).await? {
        return Err(AppError::Conflict(
            "This invitation has just been used. Sign in with your username and password.".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO account_charts (account_id, chart_id, relationship, created_at) \
         VALUES ($1, $2, 'self', $3) ON CONFLICT (account_id, chart_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(inv.chart_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE patient_charts SET portal_status = 'active' WHERE id = $1")
        .bind(inv.chart_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE portal_accounts SET status = 'active' WHERE id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if let Some(old) = request::session() {
        session::delete_in(&mut tx, &old.id_hash).await?;
    }
    let session_token = session::create(&mut tx, Principal::Patient(account_id), now).await?;
    session::select_chart(&mut tx, &token::token_hash(&session_token), inv.chart_id).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Patient(account_id),
            action: "portal.enrolled",
            chart_id: Some(inv.chart_id),
            client: Some(client),
            detail: how,
        },
    )
    .await?;
    tx.commit().await?;
    request::set_cookie(request::session_cookie(&st.config, &session_token));
    request::set_cookie(request::step_cookie(&st.config, "", 0));
    if request::is_plain_form_post() {
        leptos_axum::redirect("/?welcome=1");
    }
    Ok(())
}

/// Step 2: a new account.
pub async fn create_account(
    link_token: String,
    username: String,
    password: String,
    security_question: String,
    security_answer: String,
) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let inv = proven_invitation(&st, &link_token, now).await?;
    let mut problems = Vec::new();
    let parsed = Username::parse(&username);
    if let Err(m) = &parsed {
        problems.push(FieldError {
            field: "username".into(),
            message: (*m).into(),
        });
    }
    let name = parsed
        .as_ref()
        .map(|u| u.as_str().to_string())
        .unwrap_or_default();
    if let Some(m) = new_password::problem(&password, &name) {
        problems.push(FieldError {
            field: "password".into(),
            message: m.into(),
        });
    }
    if !SECURITY_QUESTIONS.contains(&security_question.as_str()) {
        problems.push(FieldError {
            field: "security_question".into(),
            message: "Choose one of the questions.".into(),
        });
    }
    let answer = normalize_answer(&security_answer);
    if answer.chars().count() < 2 || answer.chars().count() > 100 {
        problems.push(FieldError {
            field: "security_answer".into(),
            message: "Enter an answer of 2 to 100 characters that you will remember.".into(),
        });
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM portal_accounts WHERE username = $1")
            .bind(&name)
            .fetch_optional(st.db.read())
            .await?;
    if taken.is_some() {
        return Err(AppError::field("username", USERNAME_TAKEN));
    }
    let password_hash = st.hasher.hash(password).await?;
    let answer_hash = st.hasher.hash(answer).await?;
    let c = chart(&st, inv.chart_id).await?;
    let mut tx = st.db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO portal_accounts (username, password_hash, display_name, email, phone, \
         security_question, security_answer_hash, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8) ON CONFLICT (username) DO NOTHING",
    )
    .bind(&name)
    .bind(&password_hash)
    .bind(format!("{} {}", c.given_name, c.family_name))
    .bind(&c.email)
    .bind(&c.phone)
    .bind(&security_question)
    .bind(&answer_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::field("username", USERNAME_TAKEN));
    }
    let account_id: i64 = sqlx::query_scalar("SELECT id FROM portal_accounts WHERE username = $1")
        .bind(&name)
        .fetch_one(&mut *tx)
        .await?;
    finish(&st, tx, &inv, account_id, &client, "new_account").await
}

/// Step 2: link the record to an account the patient already has, by signing in to it.
pub async fn link_account(link_token: String, username: String, password: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let inv = proven_invitation(&st, &link_token, now).await?;
    let name = Username::parse(&username).map_err(|m| AppError::field("username", m))?;
    let account_key = throttle::account_key("patient", name.as_str());
    let wait = throttle::check(
        &st.db,
        &[
            (account_key.as_str(), throttle::ACCOUNT),
            (client.as_str(), throttle::ADDRESS),
        ],
        now,
    )
    .await?;
    if wait > 0 {
        return Err(AppError::TooManyRequests(throttle::message(wait)));
    }
    let found =
        super::accounts::credentials(&st.db, crate::model::PrincipalKind::Patient, name.as_str())
            .await?;
    let (id, stored) = match found {
        Some(c) => (Some(c.id), Some(c.password_hash)),
        None => (None, None),
    };
    let matched = st.hasher.verify(password, stored).await?;
    let Some(account_id) = id.filter(|_| matched) else {
        let mut tx = st.db.begin().await?;
        throttle::record_failure(&mut tx, &account_key, throttle::ACCOUNT.window_secs, now).await?;
        throttle::record_failure(&mut tx, &client, throttle::ADDRESS.window_secs, now).await?;
        audit::record(
            &mut tx,
            now,
            Entry {
                actor: Actor::Anonymous,
                action: "enroll.link_failed",
                chart_id: Some(inv.chart_id),
                client: Some(&client),
                detail: "",
            },
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::invalid(super::auth::BAD_CREDENTIALS));
    };
    let tx = st.db.begin().await?;
    finish(&st, tx, &inv, account_id, &client, "linked_account").await
}
