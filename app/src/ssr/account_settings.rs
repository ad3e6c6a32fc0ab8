//! A patient's account settings (SPEC §9): password, security question, email and phone (each
//! confirmed by a code sent to the new address or number), text opt-out, notification
//! preferences, and signing out everywhere.

use sqlx::Row;

use super::{
    audit::{self, Actor, Entry},
    codes::{self, Check, Purpose, Scope},
    identity::{code_refusal, deliver_code, not_issued},
    new_password,
    outbox::{self, Channel, Message},
    recovery::password_changed_email,
    request::{self, state},
    session::Principal,
    state::AppState,
    texts::TextChannel,
    throttle,
};
use crate::{
    domain::access::{email_problem, normalize_answer, phone_problem, SECURITY_QUESTIONS},
    error::{AppError, AppResult, FieldError},
    model::access::AccountSettings,
};

/// Ten wrong codes in a day stop further tries until tomorrow.
const LOCKED_CODES: &str =
    "Too many incorrect codes today. For your security, please try again tomorrow.";

struct Caller {
    st: AppState,
    account_id: i64,
    session_hash: String,
    client: String,
}

fn caller() -> AppResult<Caller> {
    let st = state()?;
    let s = request::session().ok_or(AppError::Unauthorized)?;
    let Principal::Patient(account_id) = s.principal else {
        return Err(AppError::Forbidden);
    };
    let client = request::client_key(&st.config);
    Ok(Caller {
        st,
        account_id,
        session_hash: s.id_hash,
        client,
    })
}

impl Caller {
    async fn audit(&self, action: &str) -> AppResult<()> {
        audit::record_alone(
            &self.st.db,
            self.st.clock.now(),
            Entry {
                actor: Actor::Patient(self.account_id),
                action,
                chart_id: None,
                client: Some(&self.client),
                detail: "",
            },
        )
        .await?;
        Ok(())
    }

    fn scope(&self, purpose: Purpose) -> Scope {
        Scope {
            purpose,
            subject: format!("account:{}", self.account_id),
            budget_key: format!("account:{}", self.account_id),
        }
    }

    /// The current password, checked with the same throttle as sign-in.
    async fn confirm_password(&self, password: String) -> AppResult<()> {
        let now = self.st.clock.now();
        let key = format!("settings:{}", self.account_id);
        let wait = throttle::check(&self.st.db, &[(key.as_str(), throttle::ACCOUNT)], now).await?;
        if wait > 0 {
            return Err(AppError::TooManyRequests(throttle::message(wait)));
        }
        let stored: String =
            sqlx::query_scalar("SELECT password_hash FROM portal_accounts WHERE id = $1")
                .bind(self.account_id)
                .fetch_one(self.st.db.read())
                .await?;
        if self.st.hasher.verify(password, Some(stored)).await? {
            return Ok(());
        }
        let mut tx = self.st.db.begin().await?;
        throttle::record_failure(&mut tx, &key, throttle::ACCOUNT.window_secs, now).await?;
        tx.commit().await?;
        self.audit("settings.password_check_failed").await?;
        Err(AppError::field(
            "current_password",
            "Your current password is incorrect.",
        ))
    }
}

fn flag(r: &sqlx::any::AnyRow, i: usize) -> Result<bool, sqlx::Error> {
    Ok(r.try_get::<i64, _>(i)? != 0)
}

pub async fn settings() -> AppResult<AccountSettings> {
    let c = caller()?;
    let now = c.st.clock.now();
    let r = sqlx::query(
        "SELECT username, email, phone, security_question, sms_opt_out, notify_appointments, \
         notify_messages, notify_reminders FROM portal_accounts WHERE id = $1",
    )
    .bind(c.account_id)
    .fetch_one(c.st.db.read())
    .await?;
    let pending = |purpose: Purpose| {
        let db = c.st.db.clone();
        let subject = format!("account:{}", c.account_id);
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT payload FROM security_codes WHERE purpose = $1 AND subject = $2 \
                 AND used_at IS NULL AND expires_at > $3 ORDER BY id DESC LIMIT 1",
            )
            .bind(purpose.as_str())
            .bind(subject)
            .bind(now)
            .fetch_optional(db.read())
            .await
        }
    };
    let other_sessions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE patient_account_id = $1 AND id_hash <> $2",
    )
    .bind(c.account_id)
    .bind(&c.session_hash)
    .fetch_one(c.st.db.read())
    .await?;
    Ok(AccountSettings {
        username: r.try_get(0)?,
        email: r.try_get(1)?,
        phone: r.try_get(2)?,
        security_question: r.try_get(3)?,
        sms_opt_out: flag(&r, 4)?,
        notify_appointments: flag(&r, 5)?,
        notify_messages: flag(&r, 6)?,
        notify_reminders: flag(&r, 7)?,
        pending_email: pending(Purpose::Email).await?,
        pending_phone: pending(Purpose::Phone).await?,
        other_sessions,
    })
}

/// A new password needs the current one; other devices are signed out and an email is sent.
pub async fn change_password(current_password: String, new_password: String) -> AppResult<()> {
    let c = caller()?;
    let username: String = sqlx::query_scalar("SELECT username FROM portal_accounts WHERE id = $1")
        .bind(c.account_id)
        .fetch_one(c.st.db.read())
        .await?;
    new_password::problem(&new_password, &username)
        .map_or(Ok(()), |m| Err(AppError::field("new_password", m)))?;
    c.confirm_password(current_password).await?;
    let hash = c.st.hasher.hash(new_password).await?;
    let now = c.st.clock.now();
    let mut tx = c.st.db.begin().await?;
    sqlx::query("UPDATE portal_accounts SET password_hash = $2 WHERE id = $1")
        .bind(c.account_id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE patient_account_id = $1 AND id_hash <> $2")
        .bind(c.account_id)
        .bind(&c.session_hash)
        .execute(&mut *tx)
        .await?;
    password_changed_email(&c.st, &mut tx, c.account_id, now).await?;
    tx.commit().await?;
    c.audit("settings.password").await
}

pub async fn change_security_question(
    current_password: String,
    security_question: String,
    security_answer: String,
) -> AppResult<()> {
    let c = caller()?;
    let answer = normalize_answer(&security_answer);
    let mut problems = Vec::new();
    if !SECURITY_QUESTIONS.contains(&security_question.as_str()) {
        problems.push(FieldError {
            field: "security_question".into(),
            message: "Choose one of the questions.".into(),
        });
    }
    if !(2..=100).contains(&answer.chars().count()) {
        problems.push(FieldError {
            field: "security_answer".into(),
            message: "Enter an answer of 2 to 100 characters that you will remember.".into(),
        });
    }
    if let Some(e) = AppError::fields(problems) {
        return Err(e);
    }
    c.confirm_password(current_password).await?;
    let hash = c.st.hasher.hash(answer).await?;
    sqlx::query(
        "UPDATE portal_accounts SET security_question = $2, security_answer_hash = $3 WHERE id = $1",
    )
    .bind(c.account_id)
    .bind(&security_question)
    .bind(&hash)
    .execute(c.st.db.write())
    .await?;
    c.audit("settings.security_question").await
}

/// Start changing the email: a code goes to the new address.
pub async fn start_email_change(email: String) -> AppResult<()> {
    let c = caller()?;
    let email = email.trim().to_lowercase();
    if let Some(m) = email_problem(&email) {
        return Err(AppError::field("email", m));
    }
    let now = c.st.clock.now();
    let scope = c.scope(Purpose::Email);
    let mut tx = c.st.db.begin().await?;
    let issued = codes::issue(&mut tx, &c.st.config, &scope, &email, now).await?;
    let code = issued.map_err(|n| not_issued(n, LOCKED_CODES))?;
    outbox::enqueue(
        &mut tx,
        now,
        Message {
            channel: Channel::Email,
            to: &email,
            subject: "Confirm your new email address",
            body: &format!(
                "Your patient portal security code is {code}. Enter it in Account settings to \
                 confirm this email address. It expires in 10 minutes.\n"
            ),
            dedupe_key: None,
        },
    )
    .await?;
    tx.commit().await?;
    c.audit("settings.email_code_sent").await
}

/// Start changing the phone: a code goes to the new number by text or voice.
pub async fn start_phone_change(phone: String, channel: String) -> AppResult<()> {
    let c = caller()?;
    let phone = phone.trim().to_string();
    if let Some(m) = phone_problem(&phone) {
        return Err(AppError::field("phone", m));
    }
    let Some(texts) = c.st.texts.clone() else {
        return Err(AppError::invalid(
            "Text and voice messages are not available; ask your clinic to update your phone number.",
        ));
    };
    let scope = c.scope(Purpose::Phone);
    let channel = TextChannel::parse(&channel).unwrap_or(TextChannel::Sms);
    // The number rides with the code as its payload, so confirming applies exactly it.
    deliver_code(
        &c.st,
        &*texts,
        &scope,
        channel,
        &phone,
        &phone,
        &c.client,
        None,
        LOCKED_CODES,
    )
    .await?;
    c.audit("settings.phone_code_sent").await
}

/// Confirm a new email (`what = "email"`) or phone (`"phone"`) with its code.
pub async fn confirm_contact(what: String, code: String) -> AppResult<()> {
    let c = caller()?;
    let (purpose, column) = match what.as_str() {
        "email" => (Purpose::Email, "email"),
        "phone" => (Purpose::Phone, "phone"),
        _ => return Err(AppError::BadRequest),
    };
    let Some(typed) = crate::domain::access::typed_digits(&code) else {
        return Err(AppError::field(
            "code",
            "Enter the code we sent, digits only.",
        ));
    };
    let now = c.st.clock.now();
    match codes::check(&c.st.db, &c.st.config, &c.scope(purpose), &typed, now).await? {
        Check::Accepted(value) if !value.is_empty() => {
            sqlx::query(&format!(
                "UPDATE portal_accounts SET {column} = $2 WHERE id = $1"
            ))
            .bind(c.account_id)
            .bind(&value)
            .execute(c.st.db.write())
            .await?;
            c.audit(&format!("settings.{column}")).await
        }
        Check::Accepted(_) => Err(AppError::field("code", "Request a new code.")),
        other => {
            c.audit(&format!("settings.{column}_code_failed")).await?;
            Err(code_refusal(other, LOCKED_CODES))
        }
    }
}

pub async fn save_preferences(
    sms_opt_out: bool,
    notify_appointments: bool,
    notify_messages: bool,
    notify_reminders: bool,
) -> AppResult<()> {
    let c = caller()?;
    sqlx::query(
        "UPDATE portal_accounts SET sms_opt_out = $2, notify_appointments = $3, \
         notify_messages = $4, notify_reminders = $5 WHERE id = $1",
    )
    .bind(c.account_id)
    .bind(i64::from(sms_opt_out))
    .bind(i64::from(notify_appointments))
    .bind(i64::from(notify_messages))
    .bind(i64::from(notify_reminders))
    .execute(c.st.db.write())
    .await?;
    c.audit("settings.preferences").await
}

/// Sign out on every device, this one included.
pub async fn sign_out_everywhere() -> AppResult<()> {
    let c = caller()?;
    sqlx::query("DELETE FROM sessions WHERE patient_account_id = $1")
        .bind(c.account_id)
        .execute(c.st.db.write())
        .await?;
    c.audit("sign_out.everywhere").await?;
    request::set_cookie(request::clear_session_cookie(&c.st.config));
    leptos_axum::redirect("/login?signed_out=1");
    Ok(())
}
