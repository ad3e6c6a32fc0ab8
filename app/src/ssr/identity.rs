//! Proving who someone is before an account exists or while it is locked out: the checks and
//! limits shared by enrollment (`enroll`) and password reset (`recovery`), and the security
//! codes sent for them and for account settings.

use super::{
    audit::{self, Actor, Entry},
    budget::{self, Budget},
    codes::{self, Check, NotIssued, Scope},
    request::{self, STEP_COOKIE},
    state::AppState,
    texts::{code_message, TextChannel, TextSender},
    throttle, token,
};
use crate::{
    domain::access::masked_phone,
    error::{AppError, AppResult},
    model::access::CodeState,
};

/// Wrong PINs, dates of birth, phone numbers and codes per chart a day, shared.
pub const WRONG_PER_DAY: Budget = codes::WRONG_PER_DAY;
/// Identity attempts per client address an hour, whatever the invitation.
pub const ADDRESS_PER_HOUR: Budget = Budget {
    limit: 100,
    window_secs: 60 * 60,
};

pub const INVALID_PIN: &str = "Invalid PIN or Security Code";
pub const PHONE_MISMATCH: &str = "Phone number does not match records";

/// Record that this browser proved identity for a link: a fresh step token, stored hashed by
/// `update` (`SET verified_token_hash = $2, verified_until = $3 WHERE id = $1 …`), the audit
/// record, and the cookie that carries the token.
pub async fn record_proof(
    st: &AppState,
    update: &str,
    row_id: i64,
    ttl_secs: i64,
    entry: Entry<'_>,
) -> AppResult<()> {
    let now = st.clock.now();
    let step = token::new_token();
    let mut tx = st.db.begin().await?;
    sqlx::query(update)
        .bind(row_id)
        .bind(token::token_hash(&step))
        .bind(now + ttl_secs)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, now, entry).await?;
    tx.commit().await?;
    request::set_cookie(request::step_cookie(&st.config, &step, ttl_secs));
    Ok(())
}

/// Whether the step cookie this request carries matches a stored proof that is still valid.
pub fn step_proven(stored_hash: Option<&str>, until: Option<i64>, now: i64) -> bool {
    match (stored_hash, until, request::cookie(STEP_COOKIE)) {
        (Some(hash), Some(until), Some(cookie)) => {
            until > now && codes::constant_time_eq(hash, &token::token_hash(&cookie))
        }
        _ => false,
    }
}

/// The live code for `scope`, if one was sent: where to, and the countdown to resending.
pub async fn code_state(
    st: &AppState,
    scope: &Scope,
    phone: &str,
    now: i64,
) -> AppResult<Option<CodeState>> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(created_at) FROM security_codes WHERE purpose = $1 AND subject = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(scope.purpose.as_str())
    .bind(&scope.subject)
    .bind(now)
    .fetch_one(st.db.read())
    .await?;
    Ok(last.map(|at| CodeState {
        sent_to: masked_phone(phone),
        resend_in_secs: (at + st.config.code_resend_secs - now).max(0),
        digits: st.config.code_digits,
    }))
}

/// Count a failed identity attempt against the chart's day and the address's hour. Returns
/// false when the chart's allowance is spent (the invitation is locked).
pub async fn count_failure(
    st: &AppState,
    scope: &Scope,
    client: &str,
    action: &str,
    chart_id: Option<i64>,
) -> AppResult<bool> {
    let now = st.clock.now();
    let mut tx = st.db.begin().await?;
    let within = budget::spend(
        &mut tx,
        &format!("code.wrong:{}", scope.budget_key),
        WRONG_PER_DAY,
        now,
    )
    .await?;
    throttle::record_failure(&mut tx, client, throttle::ADDRESS.window_secs, now).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Anonymous,
            action,
            chart_id,
            client: Some(client),
            detail: &scope.subject,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(within)
}

/// Refuse when the address has been guessing (any invitation or reset link).
pub async fn check_address(st: &AppState, client: &str) -> AppResult<()> {
    let now = st.clock.now();
    let mut conn = st.db.write().acquire().await?;
    if !budget::spend(
        &mut conn,
        &format!("identity:{client}"),
        ADDRESS_PER_HOUR,
        now,
    )
    .await?
    {
        audit::record(
            &mut conn,
            now,
            Entry {
                actor: Actor::Anonymous,
                action: "identity.throttled",
                chart_id: None,
                client: Some(client),
                detail: "",
            },
        )
        .await?;
        return Err(AppError::TooManyRequests(
            "Too many attempts from this network. Please wait an hour and try again.".into(),
        ));
    }
    drop(conn);
    let wait = throttle::check(&st.db, &[(client, throttle::ADDRESS)], now).await?;
    if wait > 0 {
        return Err(AppError::TooManyRequests(format!(
            "Too many unsuccessful attempts. For your security, please wait {} and try again.",
            if wait <= 60 {
                "a minute".to_string()
            } else {
                format!("{} minutes", (wait + 59) / 60)
            }
        )));
    }
    Ok(())
}

/// Whether a code already went to the number on record for `scope` (the number was matched
/// then), so "Request the code again" need not ask for it once more.
pub async fn sent_before(st: &AppState, scope: &Scope) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM security_codes WHERE purpose = $1 AND subject = $2",
    )
    .bind(scope.purpose.as_str())
    .bind(&scope.subject)
    .fetch_one(st.db.read())
    .await?;
    Ok(n > 0)
}

/// Issue a code for `scope` and send it; the reasons it may not be sent become messages.
#[allow(clippy::too_many_arguments)]
pub async fn deliver_code(
    st: &AppState,
    texts: &dyn TextSender,
    scope: &Scope,
    channel: TextChannel,
    to: &str,
    payload: &str,
    client: &str,
    chart_id: Option<i64>,
    locked: &'static str,
) -> AppResult<()> {
    let now = st.clock.now();
    let mut tx = st.db.begin().await?;
    let issued = codes::issue(&mut tx, &st.config, scope, payload, now).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: Actor::Anonymous,
            action: if issued.is_ok() {
                "code.sent"
            } else {
                "code.refused"
            },
            chart_id,
            client: Some(client),
            detail: &format!("{}:{}", scope.purpose.as_str(), channel.as_str()),
        },
    )
    .await?;
    tx.commit().await?;
    let code = issued.map_err(|n| not_issued(n, locked))?;
    if let Err(e) = texts.send(channel, to, &code_message(channel, &code)).await {
        tracing::warn!(error = %e, channel = channel.as_str(), "sending a security code failed");
        return Err(AppError::Conflict(
            "We could not send the code just now. Please try again in a minute.".into(),
        ));
    }
    Ok(())
}

/// The message for a code that was not sent.
pub fn not_issued(reason: NotIssued, locked: &'static str) -> AppError {
    AppError::TooManyRequests(match reason {
        NotIssued::TooSoon(secs) => {
            format!("A code was just sent. You can request it again in {secs} seconds.")
        }
        NotIssued::DailyLimit => "You have requested 5 codes today, the most we send in a day. Please try again tomorrow or contact your clinic.".into(),
        NotIssued::Locked => locked.into(),
    })
}

/// The message for a code that did not work; `locked` is the flow's wording for a locked day.
pub fn code_refusal(check: Check, locked: &'static str) -> AppError {
    match check {
        Check::Accepted(_) => AppError::internal("accepted code treated as refused"),
        Check::Wrong(left) if left > 0 => AppError::field(
            "code",
            format!(
                "{INVALID_PIN}. {left} {} left for this code.",
                if left == 1 { "try" } else { "tries" }
            ),
        ),
        Check::Wrong(_) | Check::CodeSpent => AppError::field(
            "code",
            "This code can no longer be used after 3 incorrect tries. Request a new code.",
        ),
        Check::NoCode => AppError::field(
            "code",
            "This code has expired or was replaced by a newer one. Request a new code.",
        ),
        Check::Locked => AppError::TooManyRequests(locked.into()),
    }
}
