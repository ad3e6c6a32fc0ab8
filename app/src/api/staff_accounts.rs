//! Staff accounts (admins), a member's own password and sign-ins, and the set-password link.
//! Each answers a plain form post with a redirect back to its page, so it works without
//! JavaScript.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::staff_accounts::{PasswordLink, SignInRow, StaffList},
};

#[cfg(feature = "ssr")]
use crate::ssr::{
    request::{is_plain_form_post, with_status},
    staff_accounts,
};

#[cfg(feature = "ssr")]
fn back<T>(r: Result<T, AppError>, to: &str) -> Result<T, AppError> {
    if r.is_ok() && is_plain_form_post() {
        leptos_axum::redirect(to);
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "staff/team")]
pub async fn get_staff_list() -> Result<StaffList, AppError> {
    with_status(staff_accounts::list().await)
}

#[server(prefix = "/api", endpoint = "staff/team/add")]
pub async fn add_staff(
    name: String,
    email: String,
    role: String,
    #[server(default)] provider: String,
) -> Result<i64, AppError> {
    back(
        staff_accounts::add(name, email, role, provider).await,
        "/staff/settings/staff?done=added",
    )
}

#[server(prefix = "/api", endpoint = "staff/team/role")]
pub async fn change_staff_role(
    id: i64,
    role: String,
    #[server(default)] provider: String,
) -> Result<(), AppError> {
    back(
        staff_accounts::change_role(id, role, provider).await,
        "/staff/settings/staff?done=role",
    )
}

#[server(prefix = "/api", endpoint = "staff/team/active")]
pub async fn set_staff_active(id: i64, active: bool) -> Result<bool, AppError> {
    let done = if active { "reactivated" } else { "deactivated" };
    back(
        staff_accounts::set_active(id, active)
            .await
            .map(|()| active),
        &format!("/staff/settings/staff?done={done}"),
    )
}

#[server(prefix = "/api", endpoint = "staff/team/reset_password")]
pub async fn reset_staff_password(id: i64) -> Result<(), AppError> {
    back(
        staff_accounts::reset_password(id).await,
        "/staff/settings/staff?done=reset",
    )
}

/// Anyone holding the link; it names nothing until the link checks out.
#[server(prefix = "/api", endpoint = "staff/password_link")]
pub async fn get_password_link(token: String) -> Result<PasswordLink, AppError> {
    with_status(staff_accounts::link_state(token).await)
}

#[server(prefix = "/api", endpoint = "staff/set_password")]
pub async fn set_staff_password(token: String, password: String) -> Result<(), AppError> {
    with_status(staff_accounts::set_password(token, password).await)
}

#[server(prefix = "/api", endpoint = "staff/own_password")]
pub async fn change_own_staff_password(current: String, password: String) -> Result<(), AppError> {
    back(
        staff_accounts::change_own_password(current, password).await,
        "/staff/settings/account?done=password",
    )
}

#[server(prefix = "/api", endpoint = "staff/own_sign_ins")]
pub async fn get_own_sign_ins() -> Result<Vec<SignInRow>, AppError> {
    with_status(staff_accounts::own_sign_ins().await)
}
