//! Enrollment from an invitation and account recovery. Anyone may call these; the link's
//! token is the key, and every attempt is limited and audited on the server.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::access::{LinkState, ResetState},
};

#[cfg(feature = "ssr")]
use crate::ssr::{
    enroll, recovery,
    request::{back_on_error, with_status},
};

#[cfg(feature = "ssr")]
fn enroll_back<T>(r: Result<T, AppError>, endpoint: &str, token: &str) -> Result<T, AppError> {
    back_on_error(r, &format!("/api/{endpoint}"), &format!("/enroll/{token}"))
}

#[cfg(feature = "ssr")]
fn reset_back<T>(r: Result<T, AppError>, endpoint: &str, token: &str) -> Result<T, AppError> {
    back_on_error(
        r,
        &format!("/api/{endpoint}"),
        &format!("/reset-password/{token}"),
    )
}

#[server(prefix = "/api", endpoint = "enroll/state")]
pub async fn invitation_state(token: String) -> Result<LinkState, AppError> {
    with_status(enroll::link_state(token).await)
}

#[server(prefix = "/api", endpoint = "enroll/pin")]
pub async fn enroll_with_pin(
    token: String,
    #[server(default)] pin: String,
    #[server(default)] date_of_birth: String,
) -> Result<(), AppError> {
    let r = enroll::verify_pin(token.clone(), pin, date_of_birth).await;
    enroll_back(r, "enroll/pin", &token)
}

#[server(prefix = "/api", endpoint = "enroll/send_code")]
pub async fn enroll_send_code(
    token: String,
    #[server(default)] phone: String,
    #[server(default)] channel: String,
) -> Result<(), AppError> {
    let r = enroll::send_code(token.clone(), phone, channel).await;
    enroll_back(r, "enroll/send_code", &token)
}

#[server(prefix = "/api", endpoint = "enroll/code")]
pub async fn enroll_with_code(
    token: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    let r = enroll::verify_code(token.clone(), code).await;
    enroll_back(r, "enroll/code", &token)
}

#[server(prefix = "/api", endpoint = "enroll/create")]
pub async fn enroll_create_account(
    token: String,
    #[server(default)] username: String,
    #[server(default)] password: String,
    #[server(default)] security_question: String,
    #[server(default)] security_answer: String,
) -> Result<(), AppError> {
    let r = enroll::create_account(
        token.clone(),
        username,
        password,
        security_question,
        security_answer,
    )
    .await;
    enroll_back(r, "enroll/create", &token)
}

#[server(prefix = "/api", endpoint = "enroll/link")]
pub async fn enroll_link_account(
    token: String,
    #[server(default)] username: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    let r = enroll::link_account(token.clone(), username, password).await;
    enroll_back(r, "enroll/link", &token)
}

/// Forgot password: returns the message to show, the same for every username.
#[server(prefix = "/api", endpoint = "recovery/password")]
pub async fn request_password_reset(
    #[server(default)] username: String,
) -> Result<String, AppError> {
    let r = recovery::forgot_password(username).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect("/forgot-password?sent=1");
    }
    with_status(r)
}

/// Forgot username: returns the message to show, the same for every address.
#[server(prefix = "/api", endpoint = "recovery/username")]
pub async fn request_username(#[server(default)] email: String) -> Result<String, AppError> {
    let r = recovery::forgot_username(email).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect("/forgot-username?sent=1");
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "recovery/state")]
pub async fn get_reset_state(token: String) -> Result<ResetState, AppError> {
    with_status(recovery::reset_state(token).await)
}

#[server(prefix = "/api", endpoint = "recovery/answer")]
pub async fn reset_with_answer(
    token: String,
    #[server(default)] date_of_birth: String,
    #[server(default)] answer: String,
) -> Result<(), AppError> {
    let r = recovery::verify_answer(token.clone(), date_of_birth, answer).await;
    reset_back(r, "recovery/answer", &token)
}

#[server(prefix = "/api", endpoint = "recovery/send_code")]
pub async fn reset_send_code(
    token: String,
    #[server(default)] phone: String,
    #[server(default)] channel: String,
) -> Result<(), AppError> {
    let r = recovery::send_code(token.clone(), phone, channel).await;
    reset_back(r, "recovery/send_code", &token)
}

#[server(prefix = "/api", endpoint = "recovery/code")]
pub async fn reset_with_code(
    token: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    let r = recovery::verify_code(token.clone(), code).await;
    reset_back(r, "recovery/code", &token)
}

#[server(prefix = "/api", endpoint = "recovery/new_password")]
pub async fn reset_password(
    token: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    let r = recovery::set_password(token.clone(), password).await;
    reset_back(r, "recovery/new_password", &token)
}
