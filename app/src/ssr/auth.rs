//! Sign-in, sign-out and record selection: the server side of the `api::auth` functions.

use super::{
    accounts,
    audit::{self, Actor, Entry},
    messaging::live::Signal,
    request::{self, state},
    session::{self, Principal},
    state::AppState,
    throttle, two_factor,
};
use crate::{
    error::{AppError, AppResult, FieldError},
    model::{two_factor::SignInStep, CurrentUser, PrincipalKind},
    validate::{safe_next, Username},
};

/// The one message for every failed sign-in, so it reveals nothing about which part was wrong.
pub const BAD_CREDENTIALS: &str = "Username or password is incorrect";

pub(crate) fn kind_key(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::Patient => "patient",
        PrincipalKind::Staff => "staff",
    }
}

/// Both fields filled in, and the username well-formed; every problem at once.
fn parse_credentials(username: &str, password: &str) -> AppResult<Username> {
    let parsed = Username::parse(username);
    let mut problems = Vec::new();
    if let Err(m) = &parsed {
        problems.push(FieldError {
            field: "username".into(),
            message: (*m).into(),
        });
    }
    if password.is_empty() {
        problems.push(FieldError {
            field: "password".into(),
            message: "Enter your password.".into(),
        });
    }
    match AppError::fields(problems) {
        Some(e) => Err(e),
        None => parsed.map_err(|m| AppError::field("username", m)),
    }
}

pub async fn sign_in(
    kind: PrincipalKind,
    username: String,
    password: String,
    next: Option<String>,
) -> AppResult<SignInStep> {
    let st = state()?;
    let now = st.clock.now();

    let username = parse_credentials(&username, &password)?;

    let client = request::client_key(&st.config);
    let account_key = throttle::account_key(kind_key(kind), username.as_str());
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
        audit::record_alone(
            &st.db,
            now,
            Entry {
                actor: Actor::Anonymous,
                action: "sign_in.throttled",
                chart_id: None,
                client: Some(&client),
                detail: &format!("{}:{}", kind_key(kind), username.as_str()),
            },
        )
        .await?;
        return Err(AppError::TooManyRequests(throttle::message(wait)));
    }

    let found = accounts::credentials(&st.db, kind, username.as_str()).await?;
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
                action: "sign_in.failed",
                chart_id: None,
                client: Some(&client),
                detail: &format!("{}:{}", kind_key(kind), username.as_str()),
            },
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::invalid(BAD_CREDENTIALS));
    };

    let principal = match kind {
        PrincipalKind::Patient => Principal::Patient(account_id),
        PrincipalKind::Staff => Principal::Staff(account_id),
    };
    if kind == PrincipalKind::Staff {
        // No session until the second factor is proven too: only a short-lived step.
        let step =
            two_factor::after_password(&st, account_id, next.as_deref(), &client, now).await?;
        if let Some(page) = step.page() {
            if request::is_plain_form_post() {
                leptos_axum::redirect(page);
            }
            return Ok(step);
        }
    }
    begin_session(&st, principal, &account_key, &client, "", now).await?;
    // With JavaScript the page moves on once it sees who is signed in; a plain form post needs
    // the redirect.
    if request::is_plain_form_post() {
        let home = match kind {
            PrincipalKind::Patient => "/",
            PrincipalKind::Staff => "/staff",
        };
        leptos_axum::redirect(safe_next(next.as_deref(), home));
    }
    Ok(SignInStep::Done)
}

/// Every factor is proven: a new session, its cookie, the throttle forgiven, and the audit row
/// (`detail` says how the second factor was given, if one was).
pub(crate) async fn begin_session(
    st: &AppState,
    principal: Principal,
    account_key: &str,
    client: &str,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    let mut tx = st.db.begin().await?;
    // A new session id at every sign-in: an id planted before sign-in is worthless after it.
    if let Some(old) = request::session() {
        session::delete_in(&mut tx, &old.id_hash).await?;
    }
    // No record chosen yet: the first linked record is shown until the switcher picks one.
    let token = session::create(&mut tx, principal, now).await?;
    throttle::clear(&mut tx, account_key).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: principal.into(),
            action: "sign_in",
            chart_id: None,
            client: Some(client),
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    request::set_cookie(request::session_cookie(&st.config, &token));
    Ok(())
}

pub async fn sign_out() -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let login = match request::session() {
        Some(s) => {
            let mut tx = st.db.begin().await?;
            session::delete_in(&mut tx, &s.id_hash).await?;
            let client = request::client_key(&st.config);
            audit::record(
                &mut tx,
                now,
                Entry {
                    actor: s.principal.into(),
                    action: "sign_out",
                    chart_id: None,
                    client: Some(&client),
                    detail: "",
                },
            )
            .await?;
            // Open live streams of this account check their session at once.
            let (staff, account) = match s.principal {
                Principal::Patient(id) => (false, id),
                Principal::Staff(id) => (true, id),
            };
            st.live
                .commit(tx, &[Signal::SignedOut { staff, account }])
                .await?;
            match s.principal {
                Principal::Patient(_) => "/login?signed_out=1",
                Principal::Staff(_) => "/staff/login?signed_out=1",
            }
        }
        None => "/login",
    };
    request::set_cookie(request::clear_session_cookie(&st.config));
    leptos_axum::redirect(login);
    Ok(())
}

pub async fn current_user() -> AppResult<Option<CurrentUser>> {
    let st = state()?;
    match request::session() {
        Some(s) => Ok(accounts::current_user(&st.db, &s, st.clock.now()).await?),
        None => Ok(None),
    }
}

/// "Stay signed in": count this as activity and report the time left.
pub async fn keep_alive() -> AppResult<i64> {
    let st = state()?;
    let mut s = request::session().ok_or(AppError::Unauthorized)?;
    let now = st.clock.now();
    session::touch(&st.db, &s.id_hash, now).await?;
    s.last_seen_at = now;
    Ok(s.seconds_left(now))
}

pub async fn select_record(record_id: i64) -> AppResult<()> {
    let st = state()?;
    let now = st.clock.now();
    let s = request::session().ok_or(AppError::Unauthorized)?;
    let Principal::Patient(account_id) = s.principal else {
        return Err(AppError::Forbidden);
    };
    let client = request::client_key(&st.config);
    let allowed = accounts::may_view_chart(&st.db, account_id, record_id).await?;
    let mut tx = st.db.begin().await?;
    if allowed {
        session::select_chart(&mut tx, &s.id_hash, record_id).await?;
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            actor: s.principal.into(),
            action: if allowed {
                "record.switch"
            } else {
                "record.switch_denied"
            },
            chart_id: Some(record_id),
            client: Some(&client),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    if allowed {
        Ok(())
    } else {
        // The same answer as for a record that does not exist: nothing to learn by probing.
        Err(AppError::NotFound("We could not find that record.".into()))
    }
}
