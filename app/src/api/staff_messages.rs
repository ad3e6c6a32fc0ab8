//! The practice's messaging functions. Each acts for the signed-in staff member on their own
//! practice's conversations; settings are for admins.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::messages::{ConversationView, Inbox, MessagingSettings, StaffNewForm},
};

#[cfg(feature = "ssr")]
use crate::{
    model::messages::InboxFilter,
    ssr::{messaging::staff, request::with_status},
};

#[server(prefix = "/api", endpoint = "staff/messages/inbox")]
pub async fn get_inbox(
    filter: String,
    #[server(default)] q: String,
    #[server(default)] page: Option<i64>,
) -> Result<Inbox, AppError> {
    with_status(staff::inbox(InboxFilter::parse(&filter), q, page.unwrap_or(1)).await)
}

#[server(prefix = "/api", endpoint = "live/staff_inbox")]
pub async fn inbox_live(
    filter: String,
    #[server(default)] q: String,
    #[server(default)] page: Option<i64>,
) -> Result<Inbox, AppError> {
    with_status(staff::inbox(InboxFilter::parse(&filter), q, page.unwrap_or(1)).await)
}

#[server(prefix = "/api", endpoint = "staff/messages/conversation")]
pub async fn staff_conversation(id: i64) -> Result<ConversationView, AppError> {
    with_status(staff::conversation(id).await)
}

#[server(prefix = "/api", endpoint = "live/staff_conversation")]
pub async fn staff_conversation_since(id: i64, after: i64) -> Result<ConversationView, AppError> {
    with_status(staff::since(id, after).await)
}

/// Without JavaScript, back to the conversation; with it, the page stays and reads the change.
#[cfg(feature = "ssr")]
fn back_to(id: i64) {
    if crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/messages/{id}"));
    }
}

#[server(prefix = "/api", endpoint = "staff/messages/reply")]
pub async fn staff_reply(id: i64, body: String, key: String) -> Result<i64, AppError> {
    let r = staff::reply(id, body, key).await;
    if r.is_ok() {
        back_to(id);
    }
    with_status(r)
}

/// Close (`open` false) or reopen a conversation.
#[server(prefix = "/api", endpoint = "staff/messages/set_open")]
pub async fn set_conversation_open(id: i64, open: bool) -> Result<(), AppError> {
    let r = staff::set_open(id, open).await;
    if r.is_ok() {
        back_to(id);
    }
    with_status(r)
}

/// Mark a staff message as entered in error, with the reason.
#[server(prefix = "/api", endpoint = "staff/messages/withdraw")]
pub async fn withdraw_message(
    id: i64,
    message_id: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let r = staff::withdraw(id, message_id, reason).await;
    if r.is_ok() {
        back_to(id);
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "staff/messages/new_form")]
pub async fn get_staff_new_form(chart: i64) -> Result<StaffNewForm, AppError> {
    with_status(staff::new_form(chart).await)
}

#[server(prefix = "/api", endpoint = "staff/messages/start")]
pub async fn staff_start(
    chart: i64,
    #[server(default)] topic: String,
    subject: String,
    body: String,
    key: String,
) -> Result<i64, AppError> {
    let r = staff::start(chart, topic, subject, body, key).await;
    if let Ok(id) = &r {
        leptos_axum::redirect(&format!("/staff/messages/{id}"));
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "staff/messages/settings")]
pub async fn get_messaging_settings() -> Result<MessagingSettings, AppError> {
    with_status(staff::settings().await)
}

#[server(prefix = "/api", endpoint = "staff/messages/save_settings")]
pub async fn save_messaging_settings(
    enabled: Option<String>,
    response_time: String,
    care_team: Option<String>,
) -> Result<(), AppError> {
    let r = staff::save_settings(enabled.is_some(), response_time, care_team.is_some()).await;
    if r.is_ok() {
        leptos_axum::redirect("/staff/messages/settings?saved=1");
    }
    with_status(r)
}
