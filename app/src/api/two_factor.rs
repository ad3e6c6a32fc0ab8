//! Two-factor sign-in for staff: the second step, its set-up, a member's own state, and the
//! admin's reset and practice-wide requirement. The sign-in steps need the step cookie the
//! password set, not a session.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::two_factor::{TwoFactorSetup, TwoFactorStatus},
};

#[cfg(feature = "ssr")]
use crate::ssr::{
    request::{is_plain_form_post, with_status},
    two_factor,
};

/// The code from the authenticator app, or a recovery code; returns where to go next.
#[server(prefix = "/api", endpoint = "auth/staff_code")]
pub async fn staff_code(code: String) -> Result<String, AppError> {
    with_status(two_factor::verify(code).await)
}

/// The set-up in progress: QR code, secret and a fresh set of recovery codes.
#[server(prefix = "/api", endpoint = "auth/two_factor_setup")]
pub async fn get_two_factor_setup() -> Result<TwoFactorSetup, AppError> {
    with_status(two_factor::setup().await)
}

/// The first code confirms the set-up and signs in; returns where to go next.
#[server(prefix = "/api", endpoint = "auth/two_factor_confirm")]
pub async fn confirm_two_factor(code: String) -> Result<String, AppError> {
    with_status(two_factor::confirm(code).await)
}

#[server(prefix = "/api", endpoint = "staff/own_two_factor")]
pub async fn get_own_two_factor() -> Result<TwoFactorStatus, AppError> {
    with_status(two_factor::status().await)
}

#[cfg(feature = "ssr")]
fn back<T>(r: Result<T, AppError>, to: &str) -> Result<T, AppError> {
    if r.is_ok() && is_plain_form_post() {
        leptos_axum::redirect(to);
    }
    with_status(r)
}

/// Admins: clear a colleague's second factor.
#[server(prefix = "/api", endpoint = "staff/team/reset_two_factor")]
pub async fn reset_two_factor(id: i64) -> Result<(), AppError> {
    back(
        two_factor::reset(id).await,
        "/staff/settings/staff?done=two_factor_reset",
    )
}

/// Admins: whether every staff member must use a second factor.
#[server(prefix = "/api", endpoint = "staff/team/two_factor")]
pub async fn require_two_factor(required: bool) -> Result<(), AppError> {
    let done = if required { "required" } else { "not_required" };
    back(
        two_factor::set_required(required).await,
        &format!("/staff/settings/staff?done={done}"),
    )
}
