//! The outbox worker: delivers queued messages, retrying with backoff, and queues reminders.
//! Without `SMTP_URL` (development) a message is logged and left in the outbox, visible at
//! `/dev/outbox`.

use std::time::Duration;

use lettre::{
    message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use app::ssr::{appointments::reminders, config::Config, outbox, state::AppState};

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// Development: log the message; `/dev/outbox` shows it.
    Log,
    /// Email through an SMTP server.
    Smtp {
        mailer: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl Transport {
    /// SMTP when `SMTP_URL` is set, else the development log.
    pub fn from_config(config: &Config) -> Result<Transport, String> {
        let Some(url) = &config.smtp_url else {
            return Ok(Transport::Log);
        };
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from = config
            .mail_from
            .parse()
            .map_err(|e| format!("PORTICO_MAIL_FROM: {e}"))?;
        Ok(Transport::Smtp {
            mailer: Box::new(mailer),
            from,
        })
    }

    async fn send(&self, m: &outbox::Stored) -> Result<&'static str, String> {
        match self {
            Transport::Smtp { mailer, from } if m.channel == "email" => {
                let to: Mailbox = m.to.parse().map_err(|e| format!("recipient: {e}"))?;
                let builder = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(m.subject.clone());
                let message = if m.attachment_name.is_empty() {
                    builder.header(ContentType::TEXT_PLAIN).body(m.body.clone())
                } else {
                    builder.multipart(
                        MultiPart::mixed()
                            .singlepart(SinglePart::plain(m.body.clone()))
                            .singlepart(
                                Attachment::new(m.attachment_name.clone())
                                    .body(m.attachment.clone(), ContentType::TEXT_HTML),
                            ),
                    )
                }
                .map_err(|e| e.to_string())?;
                mailer
                    .send(message)
                    .await
                    .map(|_| "sent")
                    .map_err(|e| e.to_string())
            }
            _ => {
                // Subject and recipient only: bodies may hold links that must not reach logs.
                tracing::info!(id = m.id, channel = %m.channel, to = %m.to, subject = %m.subject, "message (development: not sent)");
                Ok("logged")
            }
        }
    }
}

/// One pass: deliver what is due. Returns how many were delivered.
pub async fn deliver_due(state: &AppState, transport: &Transport) -> Result<usize, sqlx::Error> {
    let now = state.clock.now();
    let due = outbox::due(&state.db, now, 50).await?;
    let mut delivered = 0;
    for m in due {
        match transport.send(&m).await {
            Ok(status) => {
                if outbox::mark_delivered(&state.db, m.id, status, state.clock.now()).await? {
                    delivered += 1;
                }
            }
            Err(e) => {
                tracing::warn!(id = m.id, attempts = m.attempts + 1, error = %e, "delivery failed; will retry");
                outbox::mark_failed_attempt(&state.db, &m, &e, state.clock.now()).await?;
            }
        }
    }
    Ok(delivered)
}

pub fn spawn(state: AppState, transport: Transport) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut passes: u64 = 0;
        loop {
            tick.tick().await;
            // Reminders once a minute; deliveries every two seconds.
            if passes.is_multiple_of(30) {
                match reminders::queue_due(&state.db, state.clock.now()).await {
                    Ok(n) if n > 0 => tracing::info!(queued = n, "reminders queued"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "queueing reminders failed"),
                }
            }
            passes += 1;
            if let Err(e) = deliver_due(&state, &transport).await {
                tracing::warn!(error = %e, "outbox pass failed");
            }
        }
    })
}
