//! Background work that keeps the database tidy.

use std::time::Duration;

use app::ssr::{session, state::AppState};

/// Delete timed-out sessions every ten minutes. Timeouts are enforced on every request
/// regardless; this only keeps the table small.
pub fn spawn_session_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match session::purge_expired(
                &state.db,
                state.clock.now(),
                state.config.idle_timeout_secs,
            )
            .await
            {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session sweep failed"),
            }
        }
    })
}

/// Queue "you have a new message" emails once a minute (see `messaging::alerts`).
pub fn spawn_message_alerts(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match app::ssr::messaging::alerts::queue_due(&state).await {
                Ok(n) if n > 0 => tracing::info!(queued = n, "message alerts queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "message alerts failed"),
            }
        }
    })
}

/// Ask the database every second whether it answers, on the probe's own connection, and open
/// or close the breaker by the answer; every quarter second while it is away, so the portal
/// is back within moments of the database.
pub fn spawn_breaker_probe(db: app::ssr::db::Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut conn = None;
        loop {
            let up = db.probe(&mut conn, Duration::from_millis(1000)).await;
            let wait = if up { 1000 } else { 250 };
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
    })
}
