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

    async fn send(&self, m: &outbox::Stored) -> Result<&'static str, Failure> {
        match self {
            Transport::Smtp { mailer, from } if m.channel == "email" => {
                let to: Mailbox =
                    m.to.parse()
                        .map_err(|e| Failure::Message(format!("recipient: {e}")))?;
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
                .map_err(|e| Failure::Message(e.to_string()))?;
                mailer.send(message).await.map(|_| "sent").map_err(|e| {
                    // No SMTP reply at all: the server is away, not this message at fault.
                    if e.is_response() || e.is_transient() || e.is_permanent() || e.is_client() {
                        Failure::Message(e.to_string())
                    } else {
                        Failure::ServerAway(e.to_string())
                    }
                })
            }
            _ => {
                // Subject and recipient only: bodies may hold links that must not reach logs.
                tracing::info!(id = m.id, channel = %m.channel, to = %m.to, subject = %m.subject, "message (development: not sent)");
                Ok("logged")
            }
        }
    }
}

/// Why a message did not go.
enum Failure {
    /// The mail server refused or could not take this message: it backs off on its own.
    Message(String),
    /// The mail server could not be reached: every message waits, none is blamed.
    ServerAway(String),
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub delivered: usize,
    /// The mail server could not be reached; the pass stopped there.
    pub server_away: bool,
    /// The pass took a full batch, so more may be due now.
    pub more: bool,
}

/// Messages one pass takes; a full pass is followed at once by the next.
const BATCH: i64 = 50;

/// One pass: deliver what is due, oldest first, until the mail server cannot be reached.
pub async fn deliver_due(state: &AppState, transport: &Transport) -> Result<Pass, sqlx::Error> {
    let now = state.clock.now();
    let due = outbox::due(&state.db, now, BATCH).await?;
    let mut pass = Pass {
        more: due.len() as i64 == BATCH,
        ..Pass::default()
    };
    for m in due {
        match transport.send(&m).await {
            Ok(status) => {
                if outbox::mark_delivered(&state.db, m.id, status, state.clock.now()).await? {
                    pass.delivered += 1;
                }
            }
            Err(Failure::Message(e)) => {
                tracing::warn!(id = m.id, attempts = m.attempts + 1, error = %e, "delivery failed; will retry");
                outbox::mark_failed_attempt(&state.db, &m, &e, state.clock.now()).await?;
            }
            Err(Failure::ServerAway(e)) => {
                tracing::warn!(error = %e, "the mail server cannot be reached; messages wait in the outbox");
                pass.server_away = true;
                break;
            }
        }
    }
    Ok(pass)
}

pub fn spawn(state: AppState, transport: Transport) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut passes: u64 = 0;
        let (mut away_passes_to_skip, mut away_passes_to_skip_last) = (0_u32, 0_u32);
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
            if away_passes_to_skip > 0 {
                away_passes_to_skip -= 1;
                continue;
            }
            match deliver_due(&state, &transport).await {
                // While the mail server is away, try after 4, 8, 16, then every 30 seconds, so
                // that mail goes within half a minute of its return.
                Ok(pass) if pass.server_away => {
                    away_passes_to_skip = (2 * away_passes_to_skip_last + 1).min(14);
                    away_passes_to_skip_last = away_passes_to_skip;
                }
                Ok(pass) => {
                    away_passes_to_skip_last = 0;
                    // A backlog (after an outage) drains at the mail server's pace, not at
                    // fifty messages every two seconds.
                    if pass.more {
                        tick.reset_immediately();
                    }
                }
                Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
            }
        }
    })
}
