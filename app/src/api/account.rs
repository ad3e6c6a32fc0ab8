//! The signed-in patient's own account settings.

use leptos::prelude::*;

use crate::{error::AppError, model::access::AccountSettings};

#[cfg(feature = "ssr")]
use crate::ssr::{account_settings as settings, request::with_status};

#[cfg(feature = "ssr")]
fn done(r: Result<(), AppError>, what: &str) -> Result<(), AppError> {
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/account?done={what}"));
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "account/settings")]
pub async fn get_account_settings() -> Result<AccountSettings, AppError> {
    with_status(settings::settings().await)
}

#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
) -> Result<(), AppError> {
    done(
        settings::change_password(current_password, new_password).await,
        "password",
    )
}

#[server(prefix = "/api", endpoint = "account/security_question")]
pub async fn change_security_question(
    #[server(default)] current_password: String,
    #[server(default)] security_question: String,
    #[server(default)] security_answer: String,
) -> Result<(), AppError> {
    done(
        settings::change_security_question(current_password, security_question, security_answer)
            .await,
        "question",
    )
}

#[server(prefix = "/api", endpoint = "account/email")]
pub async fn start_email_change(#[server(default)] email: String) -> Result<(), AppError> {
    done(settings::start_email_change(email).await, "email_code")
}

#[server(prefix = "/api", endpoint = "account/phone")]
pub async fn start_phone_change(
    #[server(default)] phone: String,
    #[server(default)] channel: String,
) -> Result<(), AppError> {
    done(
        settings::start_phone_change(phone, channel).await,
        "phone_code",
    )
}

#[server(prefix = "/api", endpoint = "account/confirm")]
pub async fn confirm_contact(
    #[server(default)] what: String,
    #[server(default)] code: String,
) -> Result<String, AppError> {
    let what_done = format!("{what}_confirmed");
    done(
        settings::confirm_contact(what.clone(), code).await,
        &what_done,
    )
    .map(|()| what)
}

/// Checkboxes: present means on.
#[server(prefix = "/api", endpoint = "account/preferences")]
pub async fn save_preferences(
    sms_opt_out: Option<String>,
    notify_appointments: Option<String>,
    notify_messages: Option<String>,
    notify_reminders: Option<String>,
) -> Result<(), AppError> {
    done(
        settings::save_preferences(
            sms_opt_out.is_some(),
            notify_appointments.is_some(),
            notify_messages.is_some(),
            notify_reminders.is_some(),
        )
        .await,
        "preferences",
    )
}

#[server(prefix = "/api", endpoint = "account/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    with_status(settings::sign_out_everywhere().await)
}
