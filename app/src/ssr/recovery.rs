//! Account recovery (SPEC §4): a forgotten password (emailed single-use link, then the
//! security question with the date of birth or a code by phone, then a new password) and a
//! forgotten username (emailed). Requests answer the same whether or not an account exists.

use sqlx::Row;

use super::{
    audit::{self, Actor, Entry},
    budget::{self, Budget},
    codes::{self, Check, Purpose, Scope},
    identity::{
        check_address, code_refusal, code_state, count_failure, deliver_code, record_proof,
        sent_before, step_proven, PHONE_MISMATCH,
    },
    new_password,
    outbox::{self, Channel, Message},
    request::{self, state},
    state::AppState,
    texts::TextChannel,
    token,
};
use crate::{
    domain::access::{dob_from_compact, normalize_answer, same_phone, typed_digits},
    error::{AppError, AppResult},
    model::access::ResetState,
    validate::Username,
};

/// A reset link works for 60 minutes, once.
pub const RESET_TTL_SECS: i64 = 60 * 60;
pub const PROOF_TTL_SECS: i64 = 15 * 60;
/// Recovery emails per username or email address a day; more are silently not sent.
pub const EMAILS_PER_DAY: Budget = Budget {
    limit: 5,
    window_secs: budget::DAY,
};
/// Recovery requests per client address an hour.
pub const REQUESTS_PER_HOUR: Budget = Budget {
    limit: 20,
    window_secs: 60 * 60,
};

pub const INVALID_TOKEN: &str = "The reset token you have provided is not valid";
pub const SENT_PASSWORD: &str = "If that username belongs to a portal account, we have sent a password reset link to the email address on file. The link works once, for 60 minutes.";
pub const SENT_USERNAME: &str =
    "If that email address belongs to a portal account, we have sent the usernames linked to it.";
pub const WRONG_DOB: &str =
    "Your date of birth is incorrect. Enter it as YYYYMMDD, for example 19860412.";
pub const WRONG_ANSWER: &str =
    "The answer to your security question is incorrect. Check the spelling.";

/// Rate-limit and audit a recovery request from this address. The same work happens whether
/// the account exists or not.
async fn admit(st: &AppState, client: &str) -> AppResult<()> {
    let now = st.clock.now();
    let mut conn = st.db.write().acquire().await?;
    if !budget::spend(
        &mut conn,
        &format!("recovery:{client}"),
        REQUESTS_PER_HOUR,
        now,
    )
    .await?
    {
        return Err(AppError::TooManyRequests(
            "Too many requests from this network. Please wait an hour and try again.".into(),
        ));
    }
    Ok(())
}

/// Forgot password, step 1: the username. Always the same answer.
pub async fn forgot_password(username: String) -> AppResult<String> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let name = Username::parse(&username).map_err(|m| AppError::field("username", m))?;
    admit(&st, &client).await?;
    let row = sqlx::query(
        "SELECT id, email FROM portal_accounts WHERE username = $1 AND status = 'active'",
    )
    .bind(name.as_str())
    .fetch_optional(st.db.read())
    .await?;
    // One transaction either way: a budget counter, the audit record and (for a real account
    // with an email) the link and its message, so the two answers cost the same.
    let mut tx = st.db.begin().await?;
    let within = budget::spend(
        &mut tx,
        &format!("recovery.user:{}", name.as_str()),
        EMAILS_PER_DAY,
        now,
    )
    .await?;
    let mut sent = false;
    if let (Some(r), true) = (&row, within) {
        let account_id: i64 = r.try_get(0)?;
        let email: String = r.try_get(1)?;
        if !email.is_empty() {
            let link_token = token::new_token();
            sqlx::query(
                "INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(account_id)
            .bind(token::token_hash(&link_token))
            .bind(now)
            .bind(now + RESET_TTL_SECS)
            .execute(&mut *tx)
            .await?;
            let body = format!(
                "Someone asked to reset the password of your patient portal account.\n\n\
                 Reset password: {}/reset-password/{link_token}\n\n\
                 The link works once, for 60 minutes. If you did not ask, ignore this email: your \
                 password stays as it is.\n",
                st.config.base_url
            );
            outbox::enqueue(
                &mut tx,
                now,
                Message {
                    channel: Channel::Email,
                    to: &email,
                    subject: "Reset your patient portal password",
                    body: &body,
                    dedupe_key: None,
                },
            )
            .await?;
            sent = true;
        }
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Anonymous,
            action: if sent {
                "recovery.password_link"
            } else {
                "recovery.password_request"
            },
            chart_id: None,
            client: Some(&client),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SENT_PASSWORD.into())
}

/// Forgot username: the usernames linked to an email address are emailed to it.
pub async fn forgot_username(email: String) -> AppResult<String> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let email = email.trim().to_lowercase();
    if let Some(m) = crate::domain::access::email_problem(&email) {
        return Err(AppError::field("email", m));
    }
    admit(&st, &client).await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT username FROM portal_accounts WHERE LOWER(email) = $1 AND status = 'active' ORDER BY username",
    )
    .bind(&email)
    .fetch_all(st.db.read())
    .await?;
    let mut tx = st.db.begin().await?;
    let within = budget::spend(
        &mut tx,
        &format!("recovery.email:{email}"),
        EMAILS_PER_DAY,
        now,
    )
    .await?;
    let sent = within && !names.is_empty();
    if sent {
        let body = format!(
            "You asked for the username of your patient portal account. The usernames linked to \
             this email address are:\n\n{}\n\nSign in at {}/login\n",
            names
                .iter()
                .map(|n| format!("  {n}"))
                .collect::<Vec<_>>()
                .join("\n"),
            st.config.base_url
        );
        outbox::enqueue(
            &mut tx,
            now,
            Message {
                channel: Channel::Email,
                to: &email,
                subject: "Your patient portal username",
                body: &body,
                dedupe_key: None,
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Anonymous,
            action: if sent {
                "recovery.username_sent"
            } else {
                "recovery.username_request"
            },
            chart_id: None,
            client: Some(&client),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SENT_USERNAME.into())
}

struct Reset {
    id: i64,
    account_id: i64,
    verified_token_hash: Option<String>,
    verified_until: Option<i64>,
}

impl Reset {
    fn scope(&self) -> Scope {
        Scope {
            purpose: Purpose::Reset,
            subject: format!("reset:{}", self.id),
            budget_key: format!("account:{}", self.account_id),
        }
    }

    fn proven(&self, now: i64) -> bool {
        step_proven(
            self.verified_token_hash.as_deref(),
            self.verified_until,
            now,
        )
    }
}

async fn live(st: &AppState, link_token: &str, now: i64) -> AppResult<Option<Reset>> {
    let row = sqlx::query(
        "SELECT r.id, r.account_id, r.verified_token_hash, r.verified_until FROM password_resets r \
         JOIN portal_accounts a ON a.id = r.account_id \
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND a.status = 'active'",
    )
    .bind(token::token_hash(link_token.trim()))
    .bind(now)
    .fetch_optional(st.db.read())
    .await?;
    row.map(|r| -> Result<Reset, sqlx::Error> {
        Ok(Reset {
            id: r.try_get(0)?,
            account_id: r.try_get(1)?,
            verified_token_hash: r.try_get(2)?,
            verified_until: r.try_get(3)?,
        })
    })
    .transpose()
    .map_err(Into::into)
}

async fn live_or_invalid(st: &AppState, link_token: &str, now: i64) -> AppResult<Reset> {
    live(st, link_token, now)
        .await?
        .ok_or_else(|| AppError::NotFound(INVALID_TOKEN.into()))
}

struct Holder {
    question: String,
    answer_hash: String,
    phone: String,
    date_of_birth: Option<String>,
}

async fn holder(st: &AppState, account_id: i64) -> AppResult<Holder> {
    let r = sqlx::query(
        "SELECT security_question, security_answer_hash, phone FROM portal_accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_one(st.db.read())
    .await?;
    // The account holder's own chart gives the date of birth (and a phone if the account has
    // none of its own).
    let chart = sqlx::query(
        "SELECT c.date_of_birth, c.phone FROM account_charts ac JOIN patient_charts c ON c.id = ac.chart_id \
         WHERE ac.account_id = $1 AND ac.relationship = 'self' ORDER BY c.id LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(st.db.read())
    .await?;
    let mut phone: String = r.try_get(2)?;
    let mut date_of_birth = None;
    if let Some(c) = chart {
        date_of_birth = Some(c.try_get(0)?);
        if phone.is_empty() {
            phone = c.try_get(1)?;
        }
    }
    Ok(Holder {
        question: r.try_get(0)?,
        answer_hash: r.try_get(1)?,
        phone,
        date_of_birth,
    })
}

/// What the reset page shows for `link_token` in this browser.
pub async fn reset_state(link_token: String) -> AppResult<ResetState> {
    let st = state()?;
    let now = st.clock.now();
    let Some(reset) = live(&st, &link_token, now).await? else {
        return Ok(ResetState::Invalid);
    };
    if reset.proven(now) {
        return Ok(ResetState::NewPassword);
    }
    let h = holder(&st, reset.account_id).await?;
    let scope = reset.scope();
    Ok(ResetState::Verify {
        question: h.question,
        phone_possible: st.texts.is_some() && !h.phone.is_empty(),
        code: code_state(&st, &scope, &h.phone, now).await?,
        locked: codes::locked(&st.db, &scope, now).await?,
    })
}

async fn prove(st: &AppState, reset: &Reset, client: &str, how: &str) -> AppResult<()> {
    record_proof(
        st,
        "UPDATE password_resets SET verified_token_hash = $2, verified_until = $3 \
         WHERE id = $1 AND used_at IS NULL",
        reset.id,
        PROOF_TTL_SECS,
        Entry {
            actor: Actor::Anonymous,
            action: "recovery.verified",
            chart_id: None,
            client: Some(client),
            detail: &format!("account:{}:{how}", reset.account_id),
        },
    )
    .await
}

fn back_to(link_token: &str) {
    if request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/reset-password/{link_token}"));
    }
}

/// Method 1: the security question with the date of birth (YYYYMMDD).
pub async fn verify_answer(
    link_token: String,
    date_of_birth: String,
    answer: String,
) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let reset = live_or_invalid(&st, &link_token, now).await?;
    let scope = reset.scope();
    if codes::locked(&st.db, &scope, now).await? {
        return Err(AppError::TooManyRequests(LOCKED_RESET.into()));
    }
    let Some(dob) = dob_from_compact(&date_of_birth) else {
        return Err(AppError::field(
            "date_of_birth",
            "Enter your date of birth as YYYYMMDD, without spaces, for example 19860412.",
        ));
    };
    check_address(&st, &client).await?;
    let h = holder(&st, reset.account_id).await?;
    let stored = (!h.answer_hash.is_empty()).then_some(h.answer_hash.clone());
    // The answer is always hashed, so a wrong date costs the same time as a wrong answer.
    let answer_ok = st.hasher.verify(normalize_answer(&answer), stored).await?;
    let dob_ok = h.date_of_birth.as_deref() == Some(dob.as_str());
    if !(dob_ok && answer_ok) {
        if !count_failure(&st, &scope, &client, "recovery.answer_failed", None).await? {
            return Err(AppError::TooManyRequests(LOCKED_RESET.into()));
        }
        return Err(if dob_ok {
            AppError::field("answer", WRONG_ANSWER)
        } else {
            AppError::field("date_of_birth", WRONG_DOB)
        });
    }
    prove(&st, &reset, &client, "question").await?;
    back_to(&link_token);
    Ok(())
}

pub const LOCKED_RESET: &str = "Too many incorrect attempts today. For your security, password reset is locked until tomorrow. Please contact your clinic: its staff can reset your account.";

/// Method 2: a code to the phone on record; the number typed must match it.
pub async fn send_code(link_token: String, phone: String, channel: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let reset = live_or_invalid(&st, &link_token, now).await?;
    let scope = reset.scope();
    let Some(texts) = st.texts.clone() else {
        return Err(AppError::invalid(
            "Codes by text or voice are not available. Answer your security question instead.",
        ));
    };
    if codes::locked(&st.db, &scope, now).await? {
        return Err(AppError::TooManyRequests(LOCKED_RESET.into()));
    }
    check_address(&st, &client).await?;
    let h = holder(&st, reset.account_id).await?;
    let resend = phone.trim().is_empty() && sent_before(&st, &scope).await?;
    if !resend && !same_phone(&phone, &h.phone) {
        if !count_failure(&st, &scope, &client, "recovery.phone_mismatch", None).await? {
            return Err(AppError::TooManyRequests(LOCKED_RESET.into()));
        }
        return Err(AppError::field("phone", PHONE_MISMATCH));
    }
    let channel = TextChannel::parse(&channel).unwrap_or(TextChannel::Sms);
    deliver_code(
        &st,
        &*texts,
        &scope,
        channel,
        &h.phone,
        "",
        &client,
        None,
        LOCKED_RESET,
    )
    .await?;
    back_to(&link_token);
    Ok(())
}

pub async fn verify_code(link_token: String, code: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let reset = live_or_invalid(&st, &link_token, now).await?;
    let Some(typed) = typed_digits(&code) else {
        return Err(AppError::field(
            "code",
            "Enter the code we sent, digits only.",
        ));
    };
    check_address(&st, &client).await?;
    match codes::check(&st.db, &st.config, &reset.scope(), &typed, now).await? {
        Check::Accepted(_) => {
            prove(&st, &reset, &client, "code").await?;
            back_to(&link_token);
            Ok(())
        }
        other => Err(code_refusal(other, LOCKED_RESET)),
    }
}

/// The last step: the new password. All sessions end and the holder is told by email.
pub async fn set_password(link_token: String, password: String) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let client = request::client_key(&st.config);
    let reset = live_or_invalid(&st, &link_token, now).await?;
    if !reset.proven(now) {
        return Err(AppError::Conflict(
            "Please confirm who you are first; the confirmation lasts 15 minutes in this browser."
                .into(),
        ));
    }
    let username: String = sqlx::query_scalar("SELECT username FROM portal_accounts WHERE id = $1")
        .bind(reset.account_id)
        .fetch_one(st.db.read())
        .await?;
    new_password::check(&password, &username)?;
    let hash = st.hasher.hash(password).await?;
    let mut tx = st.db.begin().await?;
    // Single use: of parallel requests with the same link, exactly one gets past this.
    let claimed = sqlx::query(
        "UPDATE password_resets SET used_at = $2 \
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND verified_until > $2",
    )
    .bind(reset.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::NotFound(INVALID_TOKEN.into()));
    }
    // Other links for the account stop working too.
    sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(reset.account_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE portal_accounts SET password_hash = $2 WHERE id = $1")
        .bind(reset.account_id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE patient_account_id = $1")
        .bind(reset.account_id)
        .execute(&mut *tx)
        .await?;
    password_changed_email(&st, &mut tx, reset.account_id, now).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Patient(reset.account_id),
            action: "recovery.password_changed",
            chart_id: None,
            client: Some(&client),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    request::set_cookie(request::step_cookie(&st.config, "", 0));
    if request::is_plain_form_post() {
        leptos_axum::redirect("/login?reset=1");
    }
    Ok(())
}

/// "Your password was changed": sent whenever it is, so an unexpected change is noticed.
pub async fn password_changed_email(
    st: &AppState,
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    now: i64,
) -> AppResult<()> {
    let email: String = sqlx::query_scalar("SELECT email FROM portal_accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?;
    if email.is_empty() {
        return Ok(());
    }
    let body = format!(
        "The password of your patient portal account was just changed, and every device signed \
         in to it was signed out.\n\nIf this was you, there is nothing more to do. If it was \
         not, reset your password at {}/forgot-password and contact your clinic.\n",
        st.config.base_url
    );
    outbox::enqueue(
        conn,
        now,
        Message {
            channel: Channel::Email,
            to: &email,
            subject: "Your patient portal password was changed",
            body: &body,
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}
