//! `GET /api/live/stream`: the live channel of an open messaging page, as server-sent events.
//!
//! Server-sent events rather than WebSockets: the channel only ever flows one way (the page
//! writes through ordinary server functions, which keep their CSRF checks and their no-JS
//! forms), it is plain HTTP through any proxy, and browsers reconnect by themselves.
//!
//! Events carry ids only: `changed` (`{"c":conversation,"m":message}`), `resync` (read
//! everything again), `reload` (access or settings changed: read again, the answer may be a
//! refusal; after a settings change the stream ends), and `signed_out` (then the stream ends). The session is checked when the stream
//! opens, whenever a signal concerns it, and at the moment its idle timeout falls due, but the
//! stream never counts as activity.

use std::{collections::HashSet, convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension,
};
use futures::stream::{self, Stream};
use sqlx::Row;
use tokio::sync::{broadcast::error::RecvError, watch};

use super::live::{Admission, Signal};
use crate::ssr::{
    request::RequestSession,
    session::{self, Activity, Lookup, Principal},
    state::AppState,
};

/// How often an open stream checks that its session still stands, at the longest.
const RECHECK: Duration = Duration::from_secs(60);
const KEEP_ALIVE: Duration = Duration::from_secs(15);
// Browsers drop events without data, so every event carries some (ids, or "-").

/// What one connection may hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Patient {
        account: i64,
        charts: HashSet<i64>,
        practices: HashSet<i64>,
    },
    Staff {
        staff: i64,
        practice: i64,
    },
}

async fn scope(st: &AppState, principal: Principal) -> Result<Option<Scope>, sqlx::Error> {
    match principal {
        Principal::Patient(account) => {
            let rows = sqlx::query(
                "SELECT ac.chart_id, c.practice_id FROM account_charts ac \
                 JOIN patient_charts c ON c.id = ac.chart_id \
                 JOIN portal_accounts a ON a.id = ac.account_id \
                 WHERE ac.account_id = $1 AND a.status = 'active'",
            )
            .bind(account)
            .fetch_all(st.db.read())
            .await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let mut charts = HashSet::new();
            let mut practices = HashSet::new();
            for r in rows {
                charts.insert(r.try_get(0)?);
                practices.insert(r.try_get(1)?);
            }
            Ok(Some(Scope::Patient {
                account,
                charts,
                practices,
            }))
        }
        Principal::Staff(staff) => {
            let practice: Option<i64> = sqlx::query_scalar(
                "SELECT practice_id FROM staff_accounts WHERE id = $1 AND active = TRUE",
            )
            .bind(staff)
            .fetch_optional(st.db.read())
            .await?;
            Ok(practice.map(|practice| Scope::Staff { staff, practice }))
        }
    }
}

/// What a signal means for this connection.
#[derive(Debug, PartialEq, Eq)]
enum Meaning {
    Ignore,
    Changed(i64, i64),
    Resync,
    Reload,
    /// The session or access may have ended.
    Recheck,
}

fn meaning(scope: &Scope, s: Signal) -> Meaning {
    match (scope, s) {
        (_, Signal::Resync) => Meaning::Resync,
        (
            Scope::Patient { charts, .. },
            Signal::Conversation {
                conversation,
                chart,
                message,
                ..
            },
        ) if charts.contains(&chart) => Meaning::Changed(conversation, message),
        (
            Scope::Staff { practice: mine, .. },
            Signal::Conversation {
                conversation,
                practice,
                message,
                ..
            },
        ) if *mine == practice => Meaning::Changed(conversation, message),
        (Scope::Patient { charts, .. }, Signal::Access { chart }) if charts.contains(&chart) => {
            Meaning::Recheck
        }
        (Scope::Patient { practices, .. }, Signal::Practice { practice })
            if practices.contains(&practice) =>
        {
            Meaning::Reload
        }
        (Scope::Staff { practice: mine, .. }, Signal::Practice { practice })
            if *mine == practice =>
        {
            Meaning::Reload
        }
        (
            Scope::Patient { account, .. },
            Signal::SignedOut {
                staff: false,
                account: a,
            },
        ) if *account == a => Meaning::Recheck,
        (
            Scope::Staff { staff, .. },
            Signal::SignedOut {
                staff: true,
                account: a,
            },
        ) if *staff == a => Meaning::Recheck,
        _ => Meaning::Ignore,
    }
}

struct Conn {
    st: AppState,
    id_hash: String,
    principal: Principal,
    scope: Scope,
    rx: tokio::sync::broadcast::Receiver<Signal>,
    closing: watch::Receiver<bool>,
    /// When the session must next be checked (seconds on the app's clock).
    check_at: i64,
    done: bool,
    _place: Admission,
}

enum Check {
    Fine,
    Changed,
    SignedOut,
}

impl Conn {
    /// Look at the session and access again, without counting as activity.
    async fn check(&mut self) -> Check {
        let now = self.st.clock.now();
        let found = session::by_hash(
            &self.st.db,
            self.id_hash.clone(),
            now,
            self.st.config.idle_timeout_secs,
            Activity::Passive,
        )
        .await;
        let s = match found {
            Ok(Lookup::Valid(s)) => s,
            Ok(_) => return Check::SignedOut,
            // A database hiccup is not a sign-out: try again shortly.
            Err(e) => {
                tracing::warn!(error = %e, "live stream could not check its session");
                self.check_at = now + 5;
                return Check::Fine;
            }
        };
        self.check_at = now + s.seconds_left(now).min(RECHECK.as_secs() as i64).max(1);
        match scope(&self.st, self.principal).await {
            Ok(Some(scope)) if scope == self.scope => Check::Fine,
            Ok(Some(scope)) => {
                self.scope = scope;
                Check::Changed
            }
            Ok(None) => Check::SignedOut,
            Err(e) => {
                tracing::warn!(error = %e, "live stream could not check its access");
                Check::Fine
            }
        }
    }

    async fn next_event(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        loop {
            let wait = (self.check_at - self.st.clock.now()).max(0) as u64;
            let meaning = tokio::select! {
                r = self.rx.recv() => match r {
                    Ok(s) => meaning(&self.scope, s),
                    Err(RecvError::Lagged(_)) => Meaning::Resync,
                    Err(RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep(Duration::from_secs(wait)) => Meaning::Recheck,
                _ = self.closing.changed() => return None,
            };
            match meaning {
                Meaning::Ignore => continue,
                Meaning::Changed(c, m) => {
                    return Some(
                        Event::default()
                            .event("changed")
                            .data(format!("{{\"c\":{c},\"m\":{m}}}")),
                    )
                }
                Meaning::Resync => return Some(Event::default().event("resync").data("-")),
                // Settings changed (messaging switched off, say): this connection ends; the
                // page reads again and the browser reconnects under the new settings.
                Meaning::Reload => {
                    self.done = true;
                    return Some(Event::default().event("reload").data("-"));
                }
                Meaning::Recheck => match self.check().await {
                    Check::Fine => continue,
                    Check::Changed => return Some(Event::default().event("reload").data("-")),
                    Check::SignedOut => {
                        self.done = true;
                        return Some(Event::default().event("signed_out").data("-"));
                    }
                },
            }
        }
    }
}

fn refuse(status: StatusCode, text: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

pub async fn live(
    State(st): State<AppState>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    let Some(s) = session.and_then(|Extension(RequestSession(s))| s) else {
        return refuse(StatusCode::UNAUTHORIZED, "signed out");
    };
    let scope = match scope(&st, s.principal).await {
        Ok(Some(scope)) => scope,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "signed out"),
        Err(e) => {
            tracing::error!(error = %e, "live stream could not open");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        }
    };
    let (staff, account) = match s.principal {
        Principal::Patient(id) => (false, id),
        Principal::Staff(id) => (true, id),
    };
    let Some(place) = st.live.admit(staff, account) else {
        return refuse(StatusCode::TOO_MANY_REQUESTS, "too many live connections");
    };
    let now = st.clock.now();
    let conn = Conn {
        rx: st.live.subscribe(),
        closing: st.live.closing(),
        check_at: now + s.seconds_left(now).min(RECHECK.as_secs() as i64).max(1),
        id_hash: s.id_hash.clone(),
        principal: s.principal,
        scope,
        done: false,
        _place: place,
        st,
    };
    let events = events(conn);
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            // Proxies that buffer responses would hold events back.
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)),
    )
        .into_response()
}

fn events(conn: Conn) -> impl Stream<Item = Result<Event, Infallible>> {
    // The first event tells the page it is live, so it can stop offering "check for new".
    let hello = stream::once(async { Ok(Event::default().event("ready").data("-")) });
    let rest = stream::unfold(conn, |mut conn| async move {
        conn.next_event().await.map(|e| (Ok(e), conn))
    });
    stream::StreamExt::chain(hello, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient() -> Scope {
        Scope::Patient {
            account: 1,
            charts: [10, 11].into(),
            practices: [100].into(),
        }
    }

    fn staff() -> Scope {
        Scope::Staff {
            staff: 5,
            practice: 100,
        }
    }

    fn message(chart: i64, practice: i64) -> Signal {
        Signal::Conversation {
            conversation: 7,
            chart,
            practice,
            message: 70,
        }
    }

    #[test]
    fn a_patient_hears_only_of_their_own_records() {
        assert_eq!(
            meaning(&patient(), message(10, 100)),
            Meaning::Changed(7, 70)
        );
        assert_eq!(meaning(&patient(), message(12, 100)), Meaning::Ignore);
        assert_eq!(
            meaning(&patient(), Signal::Access { chart: 11 }),
            Meaning::Recheck
        );
        assert_eq!(
            meaning(&patient(), Signal::Access { chart: 12 }),
            Meaning::Ignore
        );
        assert_eq!(
            meaning(&patient(), Signal::Practice { practice: 100 }),
            Meaning::Reload
        );
        assert_eq!(
            meaning(
                &patient(),
                Signal::SignedOut {
                    staff: false,
                    account: 1
                }
            ),
            Meaning::Recheck
        );
        assert_eq!(
            meaning(
                &patient(),
                Signal::SignedOut {
                    staff: true,
                    account: 1
                }
            ),
            Meaning::Ignore
        );
    }

    #[test]
    fn staff_hear_only_of_their_own_practice() {
        assert_eq!(meaning(&staff(), message(99, 100)), Meaning::Changed(7, 70));
        assert_eq!(meaning(&staff(), message(10, 101)), Meaning::Ignore);
        assert_eq!(
            meaning(&staff(), Signal::Access { chart: 10 }),
            Meaning::Ignore
        );
        assert_eq!(
            meaning(&staff(), Signal::Practice { practice: 101 }),
            Meaning::Ignore
        );
        assert_eq!(
            meaning(
                &staff(),
                Signal::SignedOut {
                    staff: true,
                    account: 5
                }
            ),
            Meaning::Recheck
        );
        assert_eq!(meaning(&staff(), Signal::Resync), Meaning::Resync);
    }
}
