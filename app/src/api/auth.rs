//! Sign-in, sign-out, the current user, and the record switcher.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{two_factor::SignInStep, CurrentUser},
};

#[cfg(feature = "ssr")]
use crate::{
    model::PrincipalKind,
    ssr::{auth, request::with_status},
};

/// Patient sign-in. Anyone may call it; attempts are throttled per account and address.
#[server(prefix = "/api", endpoint = "auth/login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<SignInStep, AppError> {
    with_status(auth::sign_in(PrincipalKind::Patient, username, password, next).await)
}

/// Staff sign-in, against staff accounts only. A correct password may lead to a second step
/// (a code, or setting two-factor sign-in up) rather than a session.
#[server(prefix = "/api", endpoint = "auth/staff_login")]
pub async fn staff_login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<SignInStep, AppError> {
    with_status(auth::sign_in(PrincipalKind::Staff, username, password, next).await)
}

/// Ends the caller's session, if any.
#[server(prefix = "/api", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    with_status(auth::sign_out().await)
}

/// Who is signed in (`None` when nobody is).
#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    with_status(auth::current_user().await)
}

/// "Stay signed in": needs a session; returns the seconds left before the idle timeout.
#[server(prefix = "/api", endpoint = "auth/keep_alive")]
pub async fn keep_alive() -> Result<i64, AppError> {
    with_status(auth::keep_alive().await)
}

/// The record switcher: patients only, and only records linked to their account.
#[server(prefix = "/api", endpoint = "records/select")]
pub async fn select_record(record_id: i64) -> Result<(), AppError> {
    with_status(auth::select_record(record_id).await)
}
