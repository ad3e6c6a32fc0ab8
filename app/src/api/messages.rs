//! The patient's messaging functions, for the selected record (or, for one conversation, any
//! record linked to the account). Functions under `live/` are the reads an open page makes
//! when told that something changed: they do not count as activity for the idle timeout.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::messages::{ConversationView, MessagesHome, NewMessageForm},
};

#[cfg(feature = "ssr")]
use crate::ssr::{messaging::patient, request::with_status};

#[server(prefix = "/api", endpoint = "messages/home")]
pub async fn get_messages_home() -> Result<MessagesHome, AppError> {
    with_status(patient::home().await)
}

#[server(prefix = "/api", endpoint = "live/messages_home")]
pub async fn messages_home_live() -> Result<MessagesHome, AppError> {
    with_status(patient::home().await)
}

#[server(prefix = "/api", endpoint = "messages/conversation")]
pub async fn get_conversation(id: i64) -> Result<ConversationView, AppError> {
    with_status(patient::conversation(id).await)
}

#[server(prefix = "/api", endpoint = "live/conversation")]
pub async fn conversation_since(id: i64, after: i64) -> Result<ConversationView, AppError> {
    with_status(patient::since(id, after).await)
}

#[server(prefix = "/api", endpoint = "messages/new_form")]
pub async fn get_new_message_form() -> Result<NewMessageForm, AppError> {
    with_status(patient::new_form().await)
}

/// Write to the practice about the selected record. Without JavaScript the browser lands on the
/// new conversation.
#[server(prefix = "/api", endpoint = "messages/start")]
pub async fn start_conversation(
    #[server(default)] topic: String,
    subject: String,
    body: String,
    key: String,
) -> Result<i64, AppError> {
    let r = patient::start(topic, subject, body, key).await;
    if let Ok(id) = &r {
        leptos_axum::redirect(&format!("/messages/{id}"));
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "messages/reply")]
pub async fn send_reply(id: i64, body: String, key: String) -> Result<i64, AppError> {
    let r = patient::reply(id, body, key).await;
    // With JavaScript the page stays and reads the new message itself.
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/messages/{id}"));
    }
    with_status(r)
}

/// Save what is being written (`conversation` 0: the new message form).
#[server(prefix = "/api", endpoint = "messages/draft")]
pub async fn save_draft(
    conversation: i64,
    #[server(default)] topic: String,
    #[server(default)] subject: String,
    #[server(default)] body: String,
) -> Result<(), AppError> {
    with_status(patient::save_draft(conversation, topic, subject, body).await)
}
