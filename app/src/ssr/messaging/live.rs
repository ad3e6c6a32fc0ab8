//! "Something changed" signals for open messaging pages, on every server instance.
//!
//! The database is the only source of truth; a signal carries ids, never content, and a page
//! that hears one reads what is newer through an authorised server function. So a lost or
//! late signal costs a read, never a message, and anything that might have lost signals (a
//! dropped listener connection, a subscriber that fell behind) sends `Resync`: read everything.
//!
//! SQLite (one process): signals go into an in-process broadcast after the commit. PostgreSQL
//! (any number of instances): `pg_notify` inside the writing transaction, so a signal exists
//! only if the change committed, and one listener connection per instance feeds its broadcast.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sqlx::{Any, Transaction};
use tokio::sync::{broadcast, watch};

use crate::ssr::db::{Backend, Db};

pub const CHANNEL: &str = "portico_live";
/// How many signals a slow subscriber may fall behind before it is told to re-read.
const BUFFER: usize = 4_096;
/// Open live connections one account may hold (per instance).
pub const CONNECTIONS_PER_ACCOUNT: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A conversation changed: a message, a read, closed or reopened, a withdrawal.
    Conversation {
        conversation: i64,
        chart: i64,
        practice: i64,
        message: i64,
    },
    /// Who may see a record changed (revoked, relinked): its open connections re-check.
    Access { chart: i64 },
    /// A practice changed its messaging settings (switched off, say).
    Practice { practice: i64 },
    /// A sign-in ended (signed out); that account's connections re-check their session.
    SignedOut { staff: bool, account: i64 },
    /// Signals may have been lost: every page re-reads.
    Resync,
}

impl Signal {
    pub fn encode(self) -> String {
        match self {
            Signal::Conversation {
                conversation,
                chart,
                practice,
                message,
            } => format!("c:{conversation}:{chart}:{practice}:{message}"),
            Signal::Access { chart } => format!("a:{chart}"),
            Signal::Practice { practice } => format!("p:{practice}"),
            Signal::SignedOut { staff, account } => {
                format!("s:{}:{account}", if staff { "staff" } else { "patient" })
            }
            Signal::Resync => "r".into(),
        }
    }

    pub fn decode(s: &str) -> Option<Signal> {
        let mut parts = s.split(':');
        let kind = parts.next()?;
        let mut num = || parts.next()?.parse::<i64>().ok();
        Some(match kind {
            "c" => Signal::Conversation {
                conversation: num()?,
                chart: num()?,
                practice: num()?,
                message: num()?,
            },
            "a" => Signal::Access { chart: num()? },
            "p" => Signal::Practice { practice: num()? },
            "s" => {
                let staff = match s.split(':').nth(1)? {
                    "staff" => true,
                    "patient" => false,
                    _ => return None,
                };
                let account = s.split(':').nth(2)?.parse().ok()?;
                Signal::SignedOut { staff, account }
            }
            "r" => Signal::Resync,
            _ => return None,
        })
    }
}

/// The process's hub: publish after writing, subscribe per open connection.
#[derive(Clone, Debug)]
pub struct Live {
    tx: broadcast::Sender<Signal>,
    backend: Backend,
    open: Arc<Mutex<HashMap<(bool, i64), usize>>>,
    /// Set when the server shuts down: open streams end, so the shutdown does not wait on them.
    closing: Arc<watch::Sender<bool>>,
}

impl Live {
    pub fn new(backend: Backend) -> Live {
        let (tx, _) = broadcast::channel(BUFFER);
        Live {
            tx,
            backend,
            open: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
        }
    }

    /// The hub for `db`, listening for other instances' signals when it is PostgreSQL.
    pub fn start(db: &Db, url: &str) -> Live {
        let live = Live::new(db.backend());
        if db.backend() == Backend::Postgres {
            spawn_listener(live.clone(), url.to_string());
        }
        live
    }

    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.tx.subscribe()
    }

    /// Hand a signal to this process's subscribers (none listening is fine).
    pub fn deliver(&self, s: Signal) {
        let _ = self.tx.send(s);
    }

    /// Commit `tx` and announce `signals`: on PostgreSQL as notifications inside it, on SQLite
    /// to this process once it has committed.
    pub async fn commit(
        &self,
        mut tx: Transaction<'static, Any>,
        signals: &[Signal],
    ) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            for s in signals {
                // `pg_notify` returns void, which the Any driver cannot decode: count it instead.
                sqlx::query("SELECT COUNT(*) FROM (SELECT pg_notify($1, $2)) AS sent")
                    .bind(CHANNEL)
                    .bind(s.encode())
                    .fetch_one(&mut *tx)
                    .await?;
            }
            tx.commit().await
        } else {
            tx.commit().await?;
            for s in signals {
                self.deliver(*s);
            }
            Ok(())
        }
    }

    /// Announce signals outside any other write (a settings change that already committed).
    pub async fn announce(&self, db: &Db, signals: &[Signal]) -> Result<(), sqlx::Error> {
        let tx = db.begin().await?;
        self.commit(tx, signals).await
    }

    /// Live connections open on this instance, for `/metrics`.
    pub fn connections(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .sum()
    }

    /// A place for one more live connection of this account, or `None` when it has its share.
    pub fn admit(&self, staff: bool, account: i64) -> Option<Admission> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry((staff, account)).or_default();
        if *n >= CONNECTIONS_PER_ACCOUNT {
            return None;
        }
        *n += 1;
        Some(Admission {
            open: self.open.clone(),
            key: (staff, account),
        })
    }
}

/// Holds one of an account's live-connection places until dropped.
pub struct Admission {
    open: Arc<Mutex<HashMap<(bool, i64), usize>>>,
    key: (bool, i64),
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// PostgreSQL only: forward this instance's notifications into its hub for ever. Whenever the
/// listening connection is lost, subscribers are told to re-read, since notifications sent
/// meanwhile are gone.
pub fn spawn_listener(live: Live, url: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(CHANNEL).await {
                        tracing::warn!(error = %e, "live listener could not listen");
                    } else {
                        tracing::info!("live listener connected");
                        // Anything sent before this connection listened was missed.
                        live.deliver(Signal::Resync);
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(n)) => match Signal::decode(n.payload()) {
                                    Some(s) => live.deliver(s),
                                    None => tracing::warn!("unreadable live signal ignored"),
                                },
                                Ok(None) => {
                                    tracing::warn!("live listener connection lost; reconnecting");
                                    live.deliver(Signal::Resync);
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "live listener failed");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live listener could not connect"),
            }
            live.deliver(Signal::Resync);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip_and_carry_only_ids() {
        let all = [
            Signal::Conversation {
                conversation: 1,
                chart: 2,
                practice: 3,
                message: 4,
            },
            Signal::Access { chart: 9 },
            Signal::Practice { practice: 5 },
            Signal::SignedOut {
                staff: true,
                account: 7,
            },
            Signal::SignedOut {
                staff: false,
                account: 8,
            },
            Signal::Resync,
        ];
        for s in all {
            let text = s.encode();
            assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == ':'));
            assert_eq!(Signal::decode(&text), Some(s));
        }
        assert_eq!(Signal::decode("c:1:2"), None);
        assert_eq!(Signal::decode("x:1"), None);
        assert_eq!(Signal::decode("s:root:1"), None);
    }

    #[test]
    fn an_account_holds_at_most_five_live_connections() {
        let live = Live::new(Backend::Sqlite);
        let held: Vec<_> = (0..CONNECTIONS_PER_ACCOUNT)
            .map(|_| live.admit(false, 1).unwrap())
            .collect();
        assert!(live.admit(false, 1).is_none());
        // Another account, or staff with the same id, is counted apart.
        assert!(live.admit(false, 2).is_some());
        assert!(live.admit(true, 1).is_some());
        drop(held);
        assert!(live.admit(false, 1).is_some());
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_it_lagged() {
        let live = Live::new(Backend::Sqlite);
        let mut rx = live.subscribe();
        for _ in 0..BUFFER + 10 {
            live.deliver(Signal::Resync);
        }
        assert!(matches!(
            rx.recv().await,
            Err(broadcast::error::RecvError::Lagged(_))
        ));
    }
}
