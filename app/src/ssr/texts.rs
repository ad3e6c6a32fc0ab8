//! Texts and voice calls carrying security codes go through this provider interface.
//!
//! Codes are sent at once rather than queued: a queued row would hold the code in clear, and a
//! code is useless after ten minutes anyway. Two implementations: the development outbox below
//! (kept in the `outbox` table, shown at `/dev/outbox`, never in production) and the HTTP
//! provider in the server crate.

use std::{future::Future, pin::Pin};

use super::{clock::Clock, db::Db};

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextChannel {
    Sms,
    Voice,
}

impl TextChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            TextChannel::Sms => "sms",
            TextChannel::Voice => "voice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sms" | "text" => Some(TextChannel::Sms),
            "voice" => Some(TextChannel::Voice),
            _ => None,
        }
    }
}

pub trait TextSender: Send + Sync {
    /// Deliver `body` to the phone number `to`. The error is for the log only.
    fn send<'a>(&'a self, channel: TextChannel, to: &'a str, body: &'a str) -> SendResult<'a>;
}

/// Development: the message is written to the outbox as already delivered ("logged").
pub struct DevOutbox {
    pub db: Db,
    pub clock: Clock,
}

impl TextSender for DevOutbox {
    fn send<'a>(&'a self, channel: TextChannel, to: &'a str, body: &'a str) -> SendResult<'a> {
        Box::pin(async move {
            let now = self.clock.now();
            sqlx::query(
                "INSERT INTO outbox (channel, recipient, subject, body, status, attempts, next_attempt_at, created_at, sent_at) \
                 VALUES ($1, $2, $3, $4, 'logged', 1, $5, $5, $5)",
            )
            .bind(channel.as_str())
            .bind(to)
            .bind("Security code")
            .bind(body)
            .bind(now)
            .execute(self.db.write())
            .await
            .map_err(|e| e.to_string())?;
            tracing::info!(
                channel = channel.as_str(),
                "security code (development: not sent)"
            );
            Ok(())
        })
    }
}

/// The words of a code message. A voice call reads the digits one by one.
pub fn code_message(channel: TextChannel, code: &str) -> String {
    match channel {
        TextChannel::Sms => format!(
            "Your Portico security code is {code}. It expires in 10 minutes. Never share it; clinic staff will never ask for it."
        ),
        TextChannel::Voice => {
            let spaced: Vec<String> = code.chars().map(String::from).collect();
            format!(
                "Your Portico security code is {}. Again: {}.",
                spaced.join(", "),
                spaced.join(", ")
            )
        }
    }
}
